package io.uploads.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.uploads.config.AuthConfig;
import io.uploads.core.Actor;
import io.uploads.core.Caller;
import io.uploads.db.TokenQueries;
import io.uploads.ledger.Ledger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and verifies the service's tokens: HS256-signed JWTs carrying {@code sub}, {@code groups},
 * {@code roles}, {@code exp} and {@code jti}. A token is accepted only while its {@code jti} is
 * recorded in the database, unexpired and unrevoked, so revocation takes effect at once.
 */
public final class TokenService {

    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
    private static final String KEY_ID = "hs256";
    static final String ISSUER = "upload-service";

    /**
     * Names become JWT claims that clients decode themselves; the TSD client decodes the payload
     * with standard (not URL-safe) base64. With ASCII limited to this set, the payload's base64url
     * never contains '-' or '_', so both decoders read the same claims.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private final TokenQueries tokens;
    private final Ledger ledger;
    private final Clock clock;
    private final MACSigner signer;
    private final MACVerifier verifier;

    private TokenService(TokenQueries tokens, Ledger ledger, byte[] key) {
        this.tokens = tokens;
        this.ledger = ledger;
        this.clock = ledger.clock();
        try {
            this.signer = new MACSigner(key);
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing key is unusable", e);
        }
    }

    /** With the configured key, or the one kept in the database (created on first start). */
    public static TokenService create(TokenQueries tokens, Ledger ledger, AuthConfig config) {
        byte[] key = config.signingKey() != null
                ? config.signingKey().getBytes(StandardCharsets.UTF_8)
                : Base64.getDecoder().decode(storedKey(tokens, ledger.clock()));
        return new TokenService(tokens, ledger, key);
    }

    private static String storedKey(TokenQueries tokens, Clock clock) {
        TokenQueries.KeyLookup lookup = tokens.signingKey(KEY_ID, () -> {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            return Base64.getEncoder().encodeToString(fresh);
        }, clock.instant());
        if (lookup.created()) {
            LOG.info("Generated a new token signing key and stored it in the database");
        }
        return lookup.key();
    }

    public record Issued(String token, TokenRecord record) {}

    /** Why a token was not accepted, as the audit trail records it; never shown to the client. */
    public record Verdict(@Nullable Caller caller, @Nullable String denial) {
        static Verdict denied(String why) {
            return new Verdict(null, why);
        }
    }

    public Issued issue(String principal, List<String> groups, Set<String> roles, Duration ttl, Actor actor) {
        Issued issued = sign(principal, groups, roles, ttl);
        ledger.issueToken(issued.record(), actor);
        LOG.info("Token {} issued to {} (groups {}, roles {}, expires {})", issued.record().jti(), principal, groups,
                roles, issued.record().expiresAt());
        return issued;
    }

    private Issued sign(String principal, List<String> groups, Set<String> roles, Duration ttl) {
        requireName("principal", principal);
        groups.forEach(g -> requireName("group", g));
        roles.forEach(r -> {
            if (!r.equals(Caller.UPLOADER) && !r.equals(Caller.ADMIN)) {
                throw new IllegalArgumentException("unknown role " + r);
            }
        });
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        TokenRecord record = new TokenRecord(UUID.randomUUID().toString(), principal, String.join(",", groups),
                String.join(",", roles), now, expires, null);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(principal)
                .claim("groups", List.copyOf(groups))
                .claim("roles", List.copyOf(roles))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(record.jti())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new Issued(jwt.serialize(), record);
    }

    /** The caller a token stands for, if its signature, expiry and database record all agree. */
    public Optional<Caller> authenticate(String token) {
        return Optional.ofNullable(verify(token).caller());
    }

    /** The caller a token stands for, or why it is refused. */
    public Verdict verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Verdict.denied("bad signature");
            }
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return Verdict.denied("malformed token");
        }
        String jti;
        try {
            jti = jwt.getJWTClaimsSet().getJWTID();
        } catch (ParseException e) {
            return Verdict.denied("malformed token");
        }
        if (jti == null) {
            return Verdict.denied("token without jti");
        }
        Optional<TokenRecord> record = tokens.find(jti);
        if (record.isEmpty()) {
            return Verdict.denied("unknown token " + jti);
        }
        TokenRecord r = record.get();
        if (r.revokedAt() != null) {
            return Verdict.denied("revoked token " + jti + " of " + r.principal());
        }
        if (!r.validAt(clock.instant())) {
            return Verdict.denied("expired token " + jti + " of " + r.principal());
        }
        return new Verdict(new Caller(r.principal(), r.groups(), new LinkedHashSet<>(r.roles()), r.jti()), null);
    }

    public List<TokenRecord> list() {
        return tokens.list();
    }

    public int revokePrincipal(String principal, Actor actor) {
        int n = ledger.revokeTokens(actor, principal, null);
        LOG.info("Revoked {} token(s) of {}", n, principal);
        return n;
    }

    public int revoke(String jti, Actor actor) {
        int n = ledger.revokeTokens(actor, null, jti);
        LOG.info("Revoked token {} ({} changed)", jti, n);
        return n;
    }

    /**
     * On the very first start nobody could call the service: create one admin token and log it
     * once. Returns it when it was created.
     */
    public Optional<String> bootstrapAdminToken(AuthConfig.BootstrapAdmin admin, Duration ttl) {
        Issued issued = sign(admin.principal(), admin.groups(),
                new LinkedHashSet<>(List.of(Caller.UPLOADER, Caller.ADMIN)), ttl);
        if (!ledger.issueFirstToken(issued.record(), KEY_ID)) {
            return Optional.empty();
        }
        LOG.info("No token existed, so one admin token was created for {}. It is shown only this once:\n{}",
                admin.principal(), issued.token());
        return Optional.of(issued.token());
    }

    private static void requireName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must match " + NAME.pattern());
        }
    }
}

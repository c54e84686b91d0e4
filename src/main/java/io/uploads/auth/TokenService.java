package io.uploads.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.uploads.config.AuthConfig;
import io.uploads.core.Caller;
import io.uploads.db.Database;
import io.uploads.db.SigningKeyDao;
import io.uploads.db.TokenDao;
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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
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

    private final Jdbi jdbi;
    private final Clock clock;
    private final MACSigner signer;
    private final MACVerifier verifier;

    private TokenService(Jdbi jdbi, Clock clock, byte[] key) {
        this.jdbi = jdbi;
        this.clock = clock;
        try {
            this.signer = new MACSigner(key);
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing key is unusable", e);
        }
    }

    /** With the configured key, or the one kept in the database (created on first start). */
    public static TokenService create(Jdbi jdbi, AuthConfig config, Clock clock) {
        byte[] key = config.signingKey() != null
                ? config.signingKey().getBytes(StandardCharsets.UTF_8)
                : Base64.getDecoder().decode(storedKey(jdbi, clock));
        return new TokenService(jdbi, clock, key);
    }

    private static String storedKey(Jdbi jdbi, Clock clock) {
        SigningKeyDao keys = jdbi.onDemand(SigningKeyDao.class);
        Optional<String> existing = keys.find(KEY_ID);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try {
            keys.insert(KEY_ID, Base64.getEncoder().encodeToString(fresh), clock.instant());
            LOG.info("Generated a new token signing key and stored it in the database");
        } catch (JdbiException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            // another instance generated it at the same moment: use theirs
        }
        return keys.find(KEY_ID).orElseThrow();
    }

    public record Issued(String token, TokenRecord record) {}

    public Issued issue(String principal, List<String> groups, Set<String> roles, Duration ttl) {
        return jdbi.withExtension(TokenDao.class, dao -> issue(dao, principal, groups, roles, ttl));
    }

    private Issued issue(TokenDao dao, String principal, List<String> groups, Set<String> roles, Duration ttl) {
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
        dao.insert(record);
        LOG.info("Token {} issued to {} (groups {}, roles {}, expires {})", record.jti(), principal, groups, roles, expires);
        return new Issued(jwt.serialize(), record);
    }

    /** The caller a token stands for, if its signature, expiry and database record all agree. */
    public Optional<Caller> authenticate(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return Optional.empty();
        }
        String jti;
        try {
            jti = jwt.getJWTClaimsSet().getJWTID();
        } catch (ParseException e) {
            return Optional.empty();
        }
        if (jti == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return jdbi.withExtension(TokenDao.class, dao -> dao.find(jti))
                .filter(r -> r.validAt(now))
                .map(r -> new Caller(r.principal(), r.groups(), new LinkedHashSet<>(r.roles()), r.jti()));
    }

    public List<TokenRecord> list() {
        return jdbi.withExtension(TokenDao.class, TokenDao::list);
    }

    public int revokePrincipal(String principal) {
        int n = jdbi.withExtension(TokenDao.class, dao -> dao.revokePrincipal(principal, clock.instant()));
        LOG.info("Revoked {} token(s) of {}", n, principal);
        return n;
    }

    public int revoke(String jti) {
        int n = jdbi.withExtension(TokenDao.class, dao -> dao.revoke(jti, clock.instant()));
        LOG.info("Revoked token {} ({} changed)", jti, n);
        return n;
    }

    /**
     * On the very first start nobody could call the service: create one admin token and log it
     * once. Returns it when it was created.
     */
    public Optional<String> bootstrapAdminToken(AuthConfig.BootstrapAdmin admin, Duration ttl) {
        return jdbi.inTransaction(h -> {
            // the signing key row doubles as the lock that makes two first starts create one token
            h.createQuery("SELECT id FROM signing_key WHERE id = :id FOR UPDATE").bind("id", KEY_ID).mapTo(String.class).findOne();
            TokenDao tokens = h.attach(TokenDao.class);
            if (tokens.count() > 0) {
                return Optional.empty();
            }
            Issued issued = issue(tokens, admin.principal(), admin.groups(), new LinkedHashSet<>(List.of(Caller.UPLOADER, Caller.ADMIN)), ttl);
            LOG.info("No token existed, so one admin token was created for {}. It is shown only this once:\n{}",
                    admin.principal(), issued.token());
            return Optional.of(issued.token());
        });
    }

    private static void requireName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must match " + NAME.pattern());
        }
    }
}

package io.uploads.db;

import io.uploads.auth.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** Reads of issued tokens, and the signing key kept in the database. */
public final class TokenQueries {

    private final Jdbi jdbi;

    public TokenQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<TokenRecord> find(String jti) {
        // not through the DAO: JDBI prepares all of an interface's methods each time it attaches one
        return jdbi.withHandle(h -> h.createQuery(TokenDao.FIND).bind("jti", jti).mapTo(TokenRecord.class).findOne());
    }

    public List<TokenRecord> list() {
        return jdbi.withExtension(TokenDao.class, TokenDao::list);
    }

    /**
     * The key stored under {@code id}, or {@code fresh}'s stored first; when two instances start at
     * once, the primary key lets one win and both use its key.
     *
     * @return the key, and whether this call stored it
     */
    public KeyLookup signingKey(String id, Supplier<String> fresh, Instant now) {
        SigningKeyDao keys = jdbi.onDemand(SigningKeyDao.class);
        Optional<String> existing = keys.find(id);
        if (existing.isPresent()) {
            return new KeyLookup(existing.get(), false);
        }
        try {
            keys.insert(id, fresh.get(), now);
            return new KeyLookup(keys.find(id).orElseThrow(), true);
        } catch (JdbiException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            return new KeyLookup(keys.find(id).orElseThrow(), false);
        }
    }

    public record KeyLookup(String key, boolean created) {}
}

package io.uploads.ledger;

import io.uploads.db.AuditChainDao;
import io.uploads.db.ChunkDao;
import io.uploads.db.ClaimDao;
import io.uploads.db.SessionDao;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The DAOs of one transaction, each attached when first used and at most once: JDBI prepares every
 * method of an interface when it attaches it (an invoker, a copy of the configuration, the row
 * mapper looked up), which cost a small upload more than a tenth of its CPU while each
 * transaction attached the same DAOs two or three times, and some it never used.
 */
final class Rows {

    private final Handle handle;
    private @Nullable SessionDao sessions;
    private @Nullable ChunkDao chunks;
    private @Nullable ClaimDao claims;
    private @Nullable AuditChainDao audit;

    Rows(Handle handle) {
        this.handle = handle;
    }

    Handle handle() {
        return handle;
    }

    SessionDao sessions() {
        if (sessions == null) {
            sessions = handle.attach(SessionDao.class);
        }
        return sessions;
    }

    ChunkDao chunks() {
        if (chunks == null) {
            chunks = handle.attach(ChunkDao.class);
        }
        return chunks;
    }

    ClaimDao claims() {
        if (claims == null) {
            claims = handle.attach(ClaimDao.class);
        }
        return claims;
    }

    AuditChainDao audit() {
        if (audit == null) {
            audit = handle.attach(AuditChainDao.class);
        }
        return audit;
    }
}

package io.uploads.ledger;

import io.uploads.db.AuditChainDao;
import io.uploads.db.ChunkDao;
import io.uploads.db.ClaimDao;
import io.uploads.db.SessionDao;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The DAOs of one transaction, each attached when first used and at most once: JDBI prepares every
 * method of an interface when it attaches it (an invoker, a copy of the configuration, the row
 * mapper looked up), which took 14% of a small upload's CPU while each transaction attached the
 * same DAOs two or three times, and some it never used.
 */
final class Rows {

    private final Handle handle;
    private final Map<Class<?>, Object> attached = new HashMap<>();

    Rows(Handle handle) {
        this.handle = handle;
    }

    Handle handle() {
        return handle;
    }

    SessionDao sessions() {
        return dao(SessionDao.class);
    }

    ChunkDao chunks() {
        return dao(ChunkDao.class);
    }

    ClaimDao claims() {
        return dao(ClaimDao.class);
    }

    AuditChainDao audit() {
        return dao(AuditChainDao.class);
    }

    private <T> T dao(Class<T> type) {
        return type.cast(attached.computeIfAbsent(type, handle::attach));
    }
}

package io.uploads.ledger;

import io.uploads.db.AuditChainDao;
import io.uploads.db.ChunkDao;
import io.uploads.db.ClaimDao;
import io.uploads.db.SessionDao;
import io.uploads.db.Write;

/** The DAOs of one transaction's write. */
final class Rows {

    private final Write write;

    Rows(Write write) {
        this.write = write;
    }

    /** The transaction's part these rows are written in, and what follows its commit or rollback. */
    Write write() {
        return write;
    }

    SessionDao sessions() {
        return write.attach(SessionDao.class);
    }

    ChunkDao chunks() {
        return write.attach(ChunkDao.class);
    }

    ClaimDao claims() {
        return write.attach(ClaimDao.class);
    }

    AuditChainDao audit() {
        return write.attach(AuditChainDao.class);
    }
}

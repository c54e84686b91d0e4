package io.uploads.db;

import io.uploads.core.AuditEntry;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Appending to the audit chain, which every write transaction does: an interface of its own,
 * apart from the trail's reads ({@link AuditDao}), because JDBI prepares every method of an
 * interface each time a transaction attaches it.
 */
public interface AuditChainDao {

    /** The chain's lock, taken last in any transaction that appends (lock order in Ledger). */
    @SqlQuery("SELECT seq, hash FROM audit_head WHERE id = 'chain' FOR UPDATE")
    AuditDao.Head lockHead();

    @SqlUpdate("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 'chain'")
    void moveHead(long seq, String hash);

    @SqlUpdate("""
            INSERT INTO audit_event (seq, occurred_at, actor, event, session_id, protocol, filename, group_name,
                                     bytes, remote_addr, detail, prev_hash, hash)
            VALUES (:seq, :occurredAt, :actor, :event, :sessionId, :protocol, :filename, :groupName,
                    :bytes, :remoteAddr, :detail, :prevHash, :hash)
            """)
    void insert(@BindMethods AuditEntry entry);
}

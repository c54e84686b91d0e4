package io.uploads.db;

import io.uploads.core.AuditEntry;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface AuditDao {

    /** The last row of the chain: its seq and hash (0 and 64 zeros while the trail is empty). */
    record Head(long seq, String hash) {}

    /** The chain's lock, taken last in any transaction that appends (lock order in Ledger). */
    @SqlQuery("SELECT seq, hash FROM audit_head WHERE id = 'chain' FOR UPDATE")
    Head lockHead();

    @SqlQuery("SELECT seq, hash FROM audit_head WHERE id = 'chain'")
    Head head();

    @SqlUpdate("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 'chain'")
    void moveHead(long seq, String hash);

    @SqlUpdate("""
            INSERT INTO audit_event (seq, occurred_at, actor, event, session_id, protocol, filename, group_name,
                                     bytes, remote_addr, detail, prev_hash, hash)
            VALUES (:seq, :occurredAt, :actor, :event, :sessionId, :protocol, :filename, :groupName,
                    :bytes, :remoteAddr, :detail, :prevHash, :hash)
            """)
    void insert(@BindMethods AuditEntry entry);

    /** Rows in chain order, for verification: {@code (after, upTo]}, at most {@code limit}. */
    @SqlQuery("SELECT * FROM audit_event WHERE seq > :after AND seq <= :upTo ORDER BY seq LIMIT :limit")
    List<AuditEntry> page(long after, long upTo, int limit);

    /** The first row past {@code seq}: none, while {@code seq} is the head. */
    @SqlQuery("SELECT * FROM audit_event WHERE seq > :seq ORDER BY seq LIMIT 1")
    java.util.Optional<AuditEntry> firstAfter(long seq);

    @SqlQuery("SELECT * FROM audit_event WHERE hash = :hash")
    List<AuditEntry> withHash(String hash);

    @SqlQuery("SELECT * FROM audit_event WHERE session_id = :sessionId ORDER BY seq")
    List<AuditEntry> forSession(String sessionId);

    @SqlQuery("SELECT * FROM audit_event WHERE seq > :after ORDER BY seq LIMIT :limit")
    List<AuditEntry> after(long after, int limit);
}

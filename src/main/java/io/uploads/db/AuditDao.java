package io.uploads.db;

import io.uploads.core.AuditEntry;
import java.util.List;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Reads of the audit trail; appending is {@link AuditChainDao}. */
public interface AuditDao {

    /** The last row of the chain: its seq and hash (0 and 64 zeros while the trail is empty). */
    record Head(long seq, String hash) {}

    @SqlQuery("SELECT seq, hash FROM audit_head WHERE id = 'chain'")
    Head head();

    /** Rows in chain order, for verification: {@code (after, upTo]}, at most {@code limit}. */
    @SqlQuery("SELECT * FROM audit_event WHERE seq > :after AND seq <= :upTo ORDER BY seq LIMIT :limit")
    List<AuditEntry> page(long after, long upTo, int limit);

    /** The first row past {@code seq}: none, while {@code seq} is the head. */
    @SqlQuery("SELECT * FROM audit_event WHERE seq > :seq ORDER BY seq LIMIT 1")
    java.util.Optional<AuditEntry> firstAfter(long seq);

    @SqlQuery("SELECT * FROM audit_event WHERE session_id = :sessionId ORDER BY seq")
    List<AuditEntry> forSession(String sessionId);

    @SqlQuery("SELECT * FROM audit_event WHERE seq > :after ORDER BY seq LIMIT :limit")
    List<AuditEntry> after(long after, int limit);
}

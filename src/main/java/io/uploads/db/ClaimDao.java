package io.uploads.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Writer claims on ranges of a session's file (V9); taken and given up under the session's row lock. */
public interface ClaimDao {

    @SqlUpdate("DELETE FROM writer_claim WHERE session_id = :sessionId AND expires_at < :now")
    int deleteExpired(String sessionId, Instant now);

    /** The session's claims overlapping [start, end), live or not: usually none, so one read decides. */
    @SqlQuery("""
            SELECT id FROM writer_claim
            WHERE session_id = :sessionId AND range_start < :end AND range_end > :start
            """)
    List<String> overlapping(String sessionId, long start, long end);

    @SqlUpdate("""
            INSERT INTO writer_claim (id, session_id, range_start, range_end, holder, expires_at)
            VALUES (:id, :sessionId, :start, :end, :holder, :expiresAt)
            """)
    void insert(String id, String sessionId, long start, long end, String holder, Instant expiresAt);

    /** 0 when the claim is past its time (removed or not): its writer may no longer write. */
    @SqlUpdate("UPDATE writer_claim SET expires_at = :expiresAt WHERE id = :id AND expires_at >= :now")
    int renew(String id, Instant expiresAt, Instant now);

    @SqlUpdate("DELETE FROM writer_claim WHERE id = :id")
    int delete(String id);

    @SqlQuery("SELECT COUNT(*) FROM writer_claim WHERE session_id = :sessionId")
    int count(String sessionId);

    @SqlQuery("SELECT DISTINCT holder FROM writer_claim")
    List<String> holders();

    @SqlUpdate("DELETE FROM writer_claim WHERE holder = :holder")
    int deleteHeldBy(String holder);

    /** Recovery: claims whose holders stopped renewing them, wherever they are. */
    @SqlUpdate("DELETE FROM writer_claim WHERE expires_at < :now")
    int deleteAllExpired(Instant now);
}

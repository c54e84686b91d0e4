package io.uploads.db;

import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

public interface SessionDao {

    @SqlUpdate("""
            INSERT INTO upload_session (id, owner, group_name, filename, protocol, state, total_size, total_chunks,
                                        max_chunk, received_bytes, created_at, updated_at, expires_at,
                                        completed_at, final_path, sha256, client_key, client_key_active, chunk_size,
                                        client_metadata, completion_due_at)
            VALUES (:id, :owner, :groupName, :filename, :protocol, :state, :totalSize, :totalChunks,
                    :maxChunk, :receivedBytes, :createdAt, :updatedAt, :expiresAt,
                    :completedAt, :finalPath, :sha256, :clientKey,
                    CASE WHEN :clientKey IS NULL THEN NULL ELSE TRUE END, :chunkSize, :clientMetadata,
                    :completionDueAt)
            """)
    void insert(@BindMethods UploadSession session);

    /** Also run without the DAO by the reads of every request (SessionQueries), which attaching it would cost more than. */
    String FIND = "SELECT * FROM upload_session WHERE id = :id";

    @SqlQuery(FIND)
    Optional<UploadSession> find(String id);

    /** Row lock for the rest of the current transaction; only meaningful inside a transaction. */
    @SqlQuery("SELECT * FROM upload_session WHERE id = :id FOR UPDATE")
    Optional<UploadSession> lock(String id);

    /** The session the owner's client calls {@code clientKey}, while it is OPEN or ASSEMBLING. */
    @SqlQuery("SELECT * FROM upload_session WHERE owner = :owner AND client_key = :clientKey AND client_key_active")
    Optional<UploadSession> findActiveByKey(String owner, String clientKey);

    /** The owner's latest session under {@code clientKey} completed at or after {@code since}. */
    @SqlQuery("""
            SELECT * FROM upload_session
            WHERE owner = :owner AND client_key = :clientKey AND state = 'COMPLETED' AND completed_at >= :since
            ORDER BY completed_at DESC
            LIMIT 1
            """)
    Optional<UploadSession> findCompletedByKeySince(String owner, String clientKey, Instant since);

    /**
     * The owner's latest session under {@code clientKey} completed at or after {@code since} whose
     * client was never answered that it completed (V10).
     */
    @SqlQuery("""
            SELECT * FROM upload_session
            WHERE owner = :owner AND client_key = :clientKey AND state = 'COMPLETED' AND completed_at >= :since
              AND completion_answered IS NULL
            ORDER BY completed_at DESC
            LIMIT 1
            """)
    Optional<UploadSession> findCompletedUnansweredSince(String owner, String clientKey, Instant since);

    @SqlUpdate("UPDATE upload_session SET completion_answered = TRUE WHERE id = :id AND state = 'COMPLETED'")
    void markCompletionAnswered(String id);

    @SqlQuery("""
            SELECT * FROM upload_session
            WHERE owner = :owner AND filename = :filename AND state = 'OPEN' AND protocol = :protocol
              AND expires_at > :now
            ORDER BY updated_at DESC
            LIMIT 1
            """)
    Optional<UploadSession> latestOpen(String owner, String filename, Protocol protocol, Instant now);

    @SqlQuery("""
            SELECT * FROM upload_session
            WHERE owner = :owner AND state = 'OPEN'
            ORDER BY updated_at DESC
            LIMIT :limit
            """)
    List<UploadSession> listOpen(String owner, int limit);

    /**
     * Sessions that count against the owner's limit: open (due ones too) and being assembled. One
     * count per state, because H2 used only the owner part of the (owner, state) index for an IN
     * list and so counted through every session the owner ever had, under the owner's quota lock.
     */
    @SqlQuery("SELECT (SELECT COUNT(*) FROM upload_session WHERE owner = :owner AND state = 'OPEN')"
            + " + (SELECT COUNT(*) FROM upload_session WHERE owner = :owner AND state = 'ASSEMBLING')")
    int countOpen(String owner);

    @SqlQuery("SELECT * FROM upload_session WHERE state = :state AND id > :afterId ORDER BY id LIMIT :limit")
    List<UploadSession> findByState(SessionState state, String afterId, int limit);

    default List<UploadSession> findByState(SessionState state) {
        return findByState(state, "", Integer.MAX_VALUE);
    }

    @SqlQuery("""
            SELECT * FROM upload_session
            WHERE state = 'OPEN' AND expires_at < :now AND completion_due_at IS NULL
            ORDER BY expires_at
            LIMIT :limit
            """)
    List<UploadSession> findExpired(Instant now, int limit);

    /** OPEN sessions due for completion since before {@code before}. */
    @SqlQuery("""
            SELECT * FROM upload_session
            WHERE completion_due_at < :before AND state = 'OPEN'
            ORDER BY completion_due_at
            LIMIT :limit
            """)
    List<UploadSession> findCompletionDue(Instant before, int limit);

    /** Marks an OPEN session due for completion if it holds every byte of its declared length. */
    @SqlUpdate("""
            UPDATE upload_session SET completion_due_at = :now
            WHERE id = :id AND state = 'OPEN' AND received_bytes = total_size AND completion_due_at IS NULL
            """)
    boolean markCompletionDue(String id, Instant now);

    /** Progress of an OPEN session by one more chunk; false when it is no longer OPEN. */
    @SqlUpdate("""
            UPDATE upload_session
            SET max_chunk = :maxChunk, received_bytes = :receivedBytes, chunk_count = chunk_count + 1,
                group_name = :groupName, updated_at = :now, expires_at = :expiresAt
            WHERE id = :id AND state = 'OPEN'
            """)
    boolean recordProgress(String id, int maxChunk, long receivedBytes, String groupName, Instant now,
                           Instant expiresAt);

    /** Recovery: what the chunks it kept add up to. */
    @SqlUpdate("""
            UPDATE upload_session
            SET max_chunk = :maxChunk, received_bytes = :receivedBytes, chunk_count = :chunkCount, updated_at = :now
            WHERE id = :id AND state = 'OPEN'
            """)
    boolean resetProgress(String id, int maxChunk, long receivedBytes, int chunkCount, Instant now);

    @SqlUpdate("UPDATE upload_session SET group_name = :groupName, updated_at = :now WHERE id = :id AND state = 'OPEN'")
    boolean setGroup(String id, String groupName, Instant now);

    /** tus creation-defer-length: the length, declared once, later than the session. */
    @SqlUpdate("UPDATE upload_session SET total_size = :totalSize WHERE id = :id AND state = 'OPEN' AND total_size IS NULL")
    boolean declareTotalSize(String id, long totalSize);

    /** Compare-and-set on the state alone; false means someone else moved the session first. */
    @SqlUpdate("""
            UPDATE upload_session
            SET state = :to, updated_at = :now,
                client_key_active = CASE WHEN :to IN ('OPEN', 'ASSEMBLING') THEN client_key_active ELSE NULL END
            WHERE id = :id AND state = :from
            """)
    boolean transition(String id, SessionState from, SessionState to, Instant now);

    /**
     * Compare-and-set from one stage to another (a stage is the state plus whether completion is
     * due); false means someone else moved the session first. A finished session gives up its
     * client key, so the client's next upload under that key is a new session.
     */
    @SqlUpdate("""
            UPDATE upload_session
            SET state = :to, updated_at = :now, completion_due_at = :dueAt,
                client_key_active = CASE WHEN :to IN ('OPEN', 'ASSEMBLING') THEN client_key_active ELSE NULL END
            WHERE id = :id AND state = :from
              AND (CASE WHEN completion_due_at IS NULL THEN FALSE ELSE TRUE END) = :fromDue
            """)
    boolean move(String id, SessionState from, boolean fromDue, SessionState to, @Nullable Instant dueAt, Instant now);

    @SqlUpdate("""
            UPDATE upload_session
            SET state = 'COMPLETED', final_path = :finalPath, sha256 = :sha256, completed_at = :now, updated_at = :now,
                client_key_active = NULL, completion_due_at = NULL
            WHERE id = :id AND state = 'ASSEMBLING'
            """)
    boolean complete(String id, String finalPath, String sha256, Instant now);
}

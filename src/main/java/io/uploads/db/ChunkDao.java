package io.uploads.db;

import io.uploads.core.Chunk;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface ChunkDao {

    @SqlUpdate("""
            INSERT INTO upload_chunk (session_id, chunk_number, chunk_offset, size_bytes, md5, received_at)
            VALUES (:sessionId, :chunkNumber, :chunkOffset, :sizeBytes, :md5, :receivedAt)
            """)
    void insert(@BindMethods Chunk chunk);

    @SqlQuery("SELECT * FROM upload_chunk WHERE session_id = :sessionId AND chunk_number = :chunkNumber")
    Optional<Chunk> find(String sessionId, int chunkNumber);

    @SqlQuery("SELECT * FROM upload_chunk WHERE session_id = :sessionId ORDER BY chunk_number")
    List<Chunk> list(String sessionId);

    /** The chunks of several sessions (a batch of recovery's), in no particular order; ids must not be empty. */
    @SqlQuery("SELECT * FROM upload_chunk WHERE session_id IN (<sessionIds>)")
    List<Chunk> listOf(@BindList("sessionIds") List<String> sessionIds);

    @SqlQuery("SELECT COUNT(*) FROM upload_chunk WHERE session_id = :sessionId")
    int count(String sessionId);

    /** Where the session's recorded bytes end: 0 when it has none. */
    @SqlQuery("SELECT COALESCE(MAX(chunk_offset + size_bytes), 0) FROM upload_chunk WHERE session_id = :sessionId")
    long recordedEnd(String sessionId);

    @SqlUpdate("DELETE FROM upload_chunk WHERE session_id = :sessionId AND chunk_number = :chunkNumber")
    boolean delete(String sessionId, int chunkNumber);
}

package io.uploads.db;

import io.uploads.core.Chunk;
import io.uploads.core.SessionSnapshot;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Reads of sessions and chunks outside any write transaction: resume queries, listings, and the
 * candidates the sweeps then change through the ledger. Never writes.
 */
public final class SessionQueries {

    private final Jdbi jdbi;
    private final SessionDao sessions;
    private final ChunkDao chunks;

    public SessionQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.sessions = jdbi.onDemand(SessionDao.class);
        this.chunks = jdbi.onDemand(ChunkDao.class);
    }

    public Optional<UploadSession> find(String id) {
        // not through the DAO: JDBI prepares all of an interface's methods each time it attaches one
        return jdbi.withHandle(h -> h.createQuery(SessionDao.FIND).bind("id", id).mapTo(UploadSession.class).findOne());
    }

    public Optional<Chunk> chunk(String sessionId, int number) {
        return chunks.find(sessionId, number);
    }

    public List<Chunk> chunks(String sessionId) {
        return chunks.list(sessionId);
    }

    /** The chunks of each of these sessions (none: no entry), in one query; ids must not be empty. */
    public Map<String, List<Chunk>> chunksOf(List<String> sessionIds) {
        Map<String, List<Chunk>> bySession = new HashMap<>();
        for (Chunk c : chunks.listOf(sessionIds)) {
            bySession.computeIfAbsent(c.sessionId(), k -> new ArrayList<>()).add(c);
        }
        return bySession;
    }

    /** The state of each of these sessions that exists, in one query; ids must not be empty. */
    public Map<String, SessionState> statesOf(List<String> ids) {
        Map<String, SessionState> states = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT id, state FROM upload_session WHERE id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getString("id"), SessionState.valueOf(rs.getString("state"))))
                .forEach(e -> states.put(e.getKey(), e.getValue())));
        return states;
    }

    public Optional<UploadSession> activeByKey(String owner, String clientKey) {
        return sessions.findActiveByKey(owner, clientKey);
    }

    /** The owner's session under {@code clientKey} that completed at or after {@code since}, if any. */
    public Optional<UploadSession> completedByKeySince(String owner, String clientKey, Instant since) {
        return sessions.findCompletedByKeySince(owner, clientKey, since);
    }

    /** The latest upload under the key completed since then whose client was never told so. */
    public Optional<UploadSession> completedUnansweredSince(String owner, String clientKey, Instant since) {
        return sessions.findCompletedUnansweredSince(owner, clientKey, since);
    }

    /** The owner's most recently active session of {@code protocol} for the file, open and not past its expiry. */
    public Optional<UploadSession> latestOpen(String owner, String filename, Protocol protocol, Instant now) {
        return sessions.latestOpen(owner, filename, protocol, now);
    }

    /**
     * The owner's open sessions, most recently active first, each with its highest chunk: one
     * query, however many there are.
     */
    public List<SessionSnapshot> listOpenWithLastChunk(String owner, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.*, c.chunk_number AS c_number, c.chunk_offset AS c_offset, c.size_bytes AS c_size,
                               c.md5 AS c_md5, c.received_at AS c_received_at
                        FROM upload_session s
                        LEFT JOIN upload_chunk c ON c.session_id = s.id AND c.chunk_number = s.max_chunk
                        WHERE s.owner = :owner AND s.state = 'OPEN'
                        ORDER BY s.updated_at DESC
                        LIMIT :limit
                        """)
                .bind("owner", owner)
                .bind("limit", limit)
                .map(withLastChunk())
                .list());
    }

    /** A session row with its highest chunk (the {@code c_} columns), if it has one. */
    private static RowMapper<SessionSnapshot> withLastChunk() {
        return SessionRows.with((s, r) -> {
            Chunk last = r.getObject("c_number") == null ? null : new Chunk(s.id(), r.getInt("c_number"),
                    r.getLong("c_offset"), r.getLong("c_size"), r.getString("c_md5"),
                    r.getObject("c_received_at", OffsetDateTime.class).toInstant());
            return new SessionSnapshot(s, Optional.ofNullable(last));
        });
    }

    public int countOpen(String owner) {
        return sessions.countOpen(owner);
    }

    /** Sessions in {@code state} with ids after {@code afterId}, in id order: a batch of a scan. */
    public List<UploadSession> inState(SessionState state, String afterId, int limit) {
        return sessions.findByState(state, afterId, limit);
    }

    public List<UploadSession> expired(Instant now, int limit) {
        return sessions.findExpired(now, limit);
    }

    public List<UploadSession> completionDue(Instant before, int limit) {
        return sessions.findCompletionDue(before, limit);
    }
}

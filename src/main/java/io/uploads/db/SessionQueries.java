package io.uploads.db;

import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads of sessions and chunks outside any write transaction: resume queries, listings, and the
 * candidates the sweeps then change through the ledger. Never writes.
 */
public final class SessionQueries {

    private final SessionDao sessions;
    private final ChunkDao chunks;

    public SessionQueries(Jdbi jdbi) {
        this.sessions = jdbi.onDemand(SessionDao.class);
        this.chunks = jdbi.onDemand(ChunkDao.class);
    }

    public Optional<UploadSession> find(String id) {
        return sessions.find(id);
    }

    public Optional<Chunk> chunk(String sessionId, int number) {
        return chunks.find(sessionId, number);
    }

    public List<Chunk> chunks(String sessionId) {
        return chunks.list(sessionId);
    }

    public Optional<UploadSession> activeByKey(String owner, String clientKey) {
        return sessions.findActiveByKey(owner, clientKey);
    }

    /** The owner's session under {@code clientKey} that completed at or after {@code since}, if any. */
    public Optional<UploadSession> completedByKeySince(String owner, String clientKey, Instant since) {
        return sessions.findCompletedByKeySince(owner, clientKey, since);
    }

    public Optional<UploadSession> latestOpen(String owner, String filename) {
        return sessions.latestOpen(owner, filename);
    }

    public List<UploadSession> listOpen(String owner, int limit) {
        return sessions.listOpen(owner, limit);
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

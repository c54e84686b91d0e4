package io.uploads.core;

import io.uploads.db.ChunkDao;
import io.uploads.db.SessionDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings disk and database back into agreement after an unclean stop. Safe to run any number of
 * times. The database says which chunks exist; their files are checked, never trusted blindly.
 *
 * <p>Files younger than the grace period are left alone: with several instances on one storage
 * directory they may belong to a write still in flight elsewhere.
 */
public final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private final Jdbi jdbi;
    private final ChunkStore store;
    private final UploadService uploads;
    private final Clock clock;
    private final Duration grace;

    public Recovery(Jdbi jdbi, ChunkStore store, UploadService uploads, Clock clock, Duration grace) {
        this.jdbi = jdbi;
        this.store = store;
        this.uploads = uploads;
        this.clock = clock;
        this.grace = grace;
    }

    public record Report(int temporaryFilesRemoved, int chunkRowsDropped, int unrecordedChunksRemoved,
                         int sessionsCompleted, int sessionsReassembled, int sessionsFailed,
                         int leftoverSessionsRemoved) {}

    private record Repair(int rowsDropped, int unrecordedRemoved) {}

    public Report run() {
        Instant cutoff = clock.instant().minus(grace);
        SessionDao sessions = jdbi.onDemand(SessionDao.class);
        int temporary = store.deleteTemporaryFiles(cutoff);
        int dropped = 0;
        int unrecorded = 0;
        for (UploadSession s : sessions.findByState(SessionState.OPEN)) {
            Repair repair = reconcile(s.id(), cutoff);
            dropped += repair.rowsDropped();
            unrecorded += repair.unrecordedRemoved();
        }
        // a crash between a tus upload's last bytes and its completion leaves it OPEN with nothing
        // more to come, and its client takes it for finished
        int completed = uploads.completeDueSessions(cutoff);
        int reassembled = 0;
        int failed = 0;
        for (UploadSession s : sessions.findByState(SessionState.ASSEMBLING)) {
            if (s.updatedAt().isAfter(cutoff)) {
                continue;
            }
            try {
                uploads.finishAssembly(s);
                reassembled++;
                LOG.info("Session {} recovered: assembled again after an interrupted completion", s.id());
            } catch (UploadException e) {
                if (e.problem() == UploadException.Problem.BYTES_UNUSABLE) {
                    failed++;
                } else {
                    LOG.warn("Session {}: assembly could not be finished now: {}", s.id(), e.getMessage());
                }
            }
        }
        int leftovers = 0;
        for (String id : store.sessionIdsOnDisk()) {
            Optional<UploadSession> owner = sessions.find(id);
            boolean stillNeeded = owner.isPresent() && !owner.get().state().isFinal();
            if (!stillNeeded && store.modifiedBefore(store.sessionDir(id), cutoff)) {
                store.deleteSession(id);
                leftovers++;
            }
        }
        Report report = new Report(temporary, dropped, unrecorded, completed, reassembled, failed, leftovers);
        LOG.info("Recovery finished: {}", report);
        return report;
    }

    /**
     * Drops chunk rows whose bytes are missing or short (the client sends them again) and chunk
     * files that no row records. Sequential sessions keep only the intact prefix, so their next
     * offset stays the sum of what they hold.
     */
    private Repair reconcile(String id, Instant cutoff) {
        return jdbi.inTransaction(h -> {
            SessionDao sessions = h.attach(SessionDao.class);
            ChunkDao chunks = h.attach(ChunkDao.class);
            UploadSession session = sessions.lock(id).orElseThrow();
            if (session.state() != SessionState.OPEN) {
                return new Repair(0, 0);
            }
            List<Chunk> kept = new ArrayList<>();
            int dropped = 0;
            boolean gap = false;
            for (Chunk c : chunks.list(id)) {
                boolean intact = store.chunkFileSize(id, c.chunkNumber()) == c.sizeBytes();
                if (intact && !(gap && session.protocol().isSequential())) {
                    kept.add(c);
                    continue;
                }
                gap = true;
                chunks.delete(id, c.chunkNumber());
                store.deleteChunk(id, c.chunkNumber());
                dropped++;
                LOG.info("Session {} recovered: chunk {} dropped, its bytes are {}", id, c.chunkNumber(),
                        intact ? "past a gap" : "missing or short");
            }
            Set<Integer> recorded = new HashSet<>();
            kept.forEach(c -> recorded.add(c.chunkNumber()));
            int unrecorded = 0;
            for (int n : store.chunkNumbersOnDisk(id)) {
                if (!recorded.contains(n) && store.modifiedBefore(store.chunkPath(id, n), cutoff)) {
                    store.deleteChunk(id, n);
                    unrecorded++;
                }
            }
            if (dropped > 0) {
                int maxChunk = kept.stream().mapToInt(Chunk::chunkNumber).max().orElse(0);
                long received = kept.stream().mapToLong(Chunk::sizeBytes).sum();
                Instant now = clock.instant();
                sessions.recordProgress(id, maxChunk, received, session.groupName(), now, session.expiresAt());
                sessions.clearCompletionDueIfShort(id);
            }
            return new Repair(dropped, unrecorded);
        });
    }
}

package io.uploads.core;

import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
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

    /** Sessions are reconciled this many at a time, never all at once. */
    private static final int BATCH = 500;

    private final Ledger ledger;
    private final SessionQueries sessions;
    private final ChunkStore store;
    private final Completion completion;
    private final Clock clock;
    private final Duration grace;

    /** @param clock decides which files are older than the grace period */
    public Recovery(Ledger ledger, SessionQueries sessions, ChunkStore store, Completion completion, Clock clock,
                    Duration grace) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.completion = completion;
        this.clock = clock;
        this.grace = grace;
    }

    public record Report(int temporaryFilesRemoved, int chunkRowsDropped, int unrecordedChunksRemoved,
                         int sessionsCompleted, int sessionsReassembled, int sessionsFailed,
                         int leftoverSessionsRemoved) {}

    private record Repair(int rowsDropped, int unrecordedRemoved) {}

    public Report run() {
        Instant cutoff = clock.instant().minus(grace);
        int temporary = store.deleteTemporaryFiles(cutoff);
        int[] repaired = new int[2];
        forEachIn(SessionState.OPEN, s -> {
            Repair repair = reconcile(s.id(), cutoff);
            repaired[0] += repair.rowsDropped();
            repaired[1] += repair.unrecordedRemoved();
        });
        int dropped = repaired[0];
        int unrecorded = repaired[1];
        // a crash between a tus upload's last bytes and its completion leaves it OPEN with nothing
        // more to come, and its client takes it for finished
        int completed = completion.completeDueSessions(cutoff);
        int[] assembled = new int[2];
        forEachIn(SessionState.ASSEMBLING, s -> {
            if (s.updatedAt().isAfter(cutoff)) {
                return;
            }
            ledger.change(s.id(), Actor.SYSTEM, change -> {
                change.audit(AuditEvent.SESSION_RECOVERED, "assembling again after an interrupted completion");
                return null;
            });
            try {
                completion.finishAssembly(s, Actor.SYSTEM);
                assembled[0]++;
                LOG.info("Session {} recovered: assembled again after an interrupted completion", s.id());
            } catch (UploadException e) {
                if (e.problem() == UploadException.Problem.BYTES_UNUSABLE) {
                    assembled[1]++;
                } else {
                    LOG.warn("Session {}: assembly could not be finished now: {}", s.id(), e.getMessage());
                }
            }
        });
        int reassembled = assembled[0];
        int failed = assembled[1];
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
        return ledger.change(id, Actor.SYSTEM, change -> {
            UploadSession session = change.session();
            if (session.state() != SessionState.OPEN) {
                return new Repair(0, 0);
            }
            List<Chunk> kept = new ArrayList<>();
            int dropped = 0;
            boolean gap = false;
            for (Chunk c : change.chunks()) {
                boolean intact = store.chunkFileSize(id, c.chunkNumber()) == c.sizeBytes();
                if (intact && !(gap && session.protocol().isSequential())) {
                    kept.add(c);
                    continue;
                }
                gap = true;
                change.dropChunk(c.chunkNumber());
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
                change.resetProgress(maxChunk, received, kept.size());
                change.audit(AuditEvent.SESSION_RECOVERED, dropped + " chunk row(s) dropped whose bytes were missing"
                        + " or short; " + received + " bytes kept");
                if (change.session().stage() == Stage.COMPLETION_DUE && !change.session().allBytesReceived()) {
                    change.moveTo(Stage.OPEN, "no longer holds every byte");
                }
            }
            return new Repair(dropped, unrecorded);
        });
    }

    /** Every session in {@code state}, a batch at a time, in id order. */
    private void forEachIn(SessionState state, Consumer<UploadSession> action) {
        String after = "";
        List<UploadSession> batch;
        do {
            batch = sessions.inState(state, after, BATCH);
            batch.forEach(action);
            after = batch.isEmpty() ? after : batch.get(batch.size() - 1).id();
        } while (batch.size() == BATCH);
    }
}

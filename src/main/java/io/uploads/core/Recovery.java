package io.uploads.core;

import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings disk and database back into agreement after an unclean stop. Safe to run any number of
 * times. The database says which ranges of a session's file hold its bytes; the file is checked
 * against them, never trusted blindly, and nothing outside them is ever read as the session's.
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
    private final WriterClaims claims;
    private final RunningDigests digests;
    private final Completion completion;
    private final Clock clock;
    private final Duration grace;

    /** @param clock decides which files are older than the grace period */
    public Recovery(Ledger ledger, SessionQueries sessions, ChunkStore store, WriterClaims claims,
                    RunningDigests digests, Completion completion, Clock clock, Duration grace) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.claims = claims;
        this.digests = digests;
        this.completion = completion;
        this.clock = clock;
        this.grace = grace;
    }

    public record Report(int staleClaimsReleased, int chunkRowsDropped, int uncommittedNamesRemoved,
                         int sessionsCompleted, int sessionsReassembled, int sessionsFailed, int leftoverFilesRemoved) {}

    public Report run() {
        Instant cutoff = clock.instant().minus(grace);
        int staleClaims = claims.releaseStale();
        int[] dropped = new int[1];
        int[] unplaced = new int[1];
        forEachBatchIn(SessionState.OPEN, batch -> {
            Map<String, List<Chunk>> recorded = sessions.chunksOf(batch.stream().map(UploadSession::id).toList());
            for (UploadSession s : batch) {
                // a crash between placing the final name and the commit that records it
                if (completion.removeUncommittedName(s)) {
                    unplaced[0]++;
                }
                if (intact(s.id(), recorded.getOrDefault(s.id(), List.of()))) {
                    continue;   // after a clean stop, every session: no transaction, no row lock, no commit
                }
                dropped[0] += reconcile(s.id());
            }
        });
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
        int leftovers = 0;
        List<String> onDisk = store.sessionIdsOnDisk();
        for (int from = 0; from < onDisk.size(); from += BATCH) {
            List<String> ids = onDisk.subList(from, Math.min(from + BATCH, onDisk.size()));
            Map<String, SessionState> states = sessions.statesOf(ids);
            for (String id : ids) {
                SessionState state = states.get(id);
                boolean stillNeeded = state != null && !state.isFinal();
                if (!stillNeeded && store.modifiedBefore(store.sessionFile(id), cutoff)) {
                    if (state != SessionState.COMPLETED) {
                        unplaced[0] += completion.removeUnrecordedNames(id);
                    }
                    store.deleteSession(id);
                    leftovers++;
                }
            }
        }
        Report report = new Report(staleClaims, dropped[0], unplaced[0], completed, assembled[0], assembled[1],
                leftovers);
        LOG.info("Recovery finished: {}", report);
        return report;
    }

    /**
     * Drops the chunk rows whose ranges the file does not hold (the client sends them again).
     * Sequential sessions keep only the intact prefix, so their next offset stays the sum of what
     * they hold. Bytes past the recorded ranges stay where they are: the next write of that range
     * overwrites them, and completion cuts the file to its recorded length.
     *
     * @return how many chunk rows were dropped
     */
    private int reconcile(String id) {
        return ledger.change(id, Actor.SYSTEM, change -> {
            UploadSession session = change.session();
            if (session.state() != SessionState.OPEN) {
                return 0;
            }
            long onDisk = store.fileSize(id);
            List<Chunk> kept = new ArrayList<>();
            int dropped = 0;
            boolean gap = false;
            for (Chunk c : change.chunks()) {
                boolean intact = c.chunkOffset() + c.sizeBytes() <= onDisk;
                if (intact && !(gap && session.protocol().isSequential())) {
                    kept.add(c);
                    continue;
                }
                gap = true;
                change.dropChunk(c.chunkNumber());
                dropped++;
                LOG.info("Session {} recovered: chunk {} dropped, its bytes are {}", id, c.chunkNumber(),
                        intact ? "past a gap" : "missing or short");
            }
            if (dropped > 0) {
                // its ranges will be written again: a running digest over them may no longer hold
                change.afterCommit(() -> digests.forget(id));
                int maxChunk = kept.stream().mapToInt(Chunk::chunkNumber).max().orElse(0);
                long received = kept.stream().mapToLong(Chunk::sizeBytes).sum();
                change.resetProgress(maxChunk, received, kept.size());
                change.audit(AuditEvent.SESSION_RECOVERED, dropped + " chunk row(s) dropped whose bytes were missing"
                        + " or short; " + received + " bytes kept");
                if (change.session().stage() == Stage.COMPLETION_DUE && !change.session().allBytesReceived()) {
                    change.moveTo(Stage.OPEN, "no longer holds every byte");
                }
            }
            return dropped;
        });
    }

    /**
     * Whether {@link #reconcile} would find nothing to repair: the session's file reaches the end
     * of every recorded range. Looked at without a lock, so that a clean start does not lock, and
     * commit, every open session one by one (at 50,000 open sessions that took minutes before the
     * port opened); a session failing it is reconciled under its row lock, which looks again.
     */
    private boolean intact(String id, List<Chunk> recorded) {
        long end = recorded.stream().mapToLong(c -> c.chunkOffset() + c.sizeBytes()).max().orElse(0);
        return end == 0 || store.fileSize(id) >= end;
    }

    /** Every session in {@code state}, a batch at a time, in id order. */
    private void forEachIn(SessionState state, Consumer<UploadSession> action) {
        forEachBatchIn(state, batch -> batch.forEach(action));
    }

    private void forEachBatchIn(SessionState state, Consumer<List<UploadSession>> action) {
        String after = "";
        List<UploadSession> batch;
        do {
            batch = sessions.inState(state, after, BATCH);
            if (!batch.isEmpty()) {
                action.accept(batch);
            }
            after = batch.isEmpty() ? after : batch.get(batch.size() - 1).id();
        } while (batch.size() == BATCH);
    }
}

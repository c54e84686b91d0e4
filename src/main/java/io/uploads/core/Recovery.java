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
 * directory they may belong to a write still in flight elsewhere. Run while this process serves
 * (the admin task, or the command beside a running server), the grace period is at least
 * {@link #WHILE_SERVING}.
 */
public final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /**
     * The least grace period while uploads may be arriving. A body's file is modified with every
     * buffer that arrives, and a body that stops arriving ends at the connector's idle timeout (30
     * s by default); only the fsync and the transaction that records it follow. A file that no row
     * knows yet and that nothing wrote for this long belongs to no request.
     */
    static final Duration WHILE_SERVING = Duration.ofMinutes(15);

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
                         int sessionsCompleted, int sessionsReassembled, int sessionsFailed, int leftoverFilesRemoved,
                         int sessionsNotRecovered) {}

    /** At start-up, before the port opens: nothing of this process is in flight. */
    public Report run() {
        return run(grace);
    }

    /** While uploads may be arriving, here or at another instance. */
    public Report runWhileServing() {
        return run(grace.compareTo(WHILE_SERVING) > 0 ? grace : WHILE_SERVING);
    }

    private Report run(Duration leaveYoungerThan) {
        Instant cutoff = clock.instant().minus(leaveYoungerThan);
        int staleClaims = claims.releaseStale();
        Tally tally = new Tally();
        forEachBatchIn(SessionState.OPEN, batch -> {
            Map<String, List<Chunk>> recorded = sessions.chunksOf(batch.stream().map(UploadSession::id).toList());
            for (UploadSession s : batch) {
                isolated(s.id(), tally, () -> {
                    // a crash between placing the final name and the commit that records it
                    if (completion.removeUncommittedName(s)) {
                        tally.namesRemoved++;
                    }
                    // after a clean stop, every session is intact: no transaction, no row lock, no commit
                    if (!intact(s.id(), recorded.getOrDefault(s.id(), List.of()))) {
                        tally.chunkRowsDropped += reconcile(s.id());
                    }
                });
            }
        });
        // a crash between a tus upload's last bytes and its completion leaves it OPEN with nothing
        // more to come, and its client takes it for finished
        int completed = completion.completeDueSessions(cutoff);
        forEachIn(SessionState.ASSEMBLING, s -> {
            if (s.updatedAt().isAfter(cutoff)) {
                return;
            }
            isolated(s.id(), tally, () -> {
                ledger.change(s.id(), Actor.SYSTEM, change -> {
                    change.audit(AuditEvent.SESSION_RECOVERED, "assembling again after an interrupted completion");
                    return null;
                });
                try {
                    completion.finishAssembly(s, Actor.SYSTEM);
                    tally.reassembled++;
                    LOG.info("Session {} recovered: assembled again after an interrupted completion", s.id());
                } catch (UploadException e) {
                    if (e.problem() == UploadException.Problem.BYTES_UNUSABLE) {
                        tally.failed++;
                    } else {
                        LOG.warn("Session {}: assembly could not be finished now: {}", s.id(), e.getMessage());
                    }
                }
            });
        });
        List<String> onDisk = store.sessionIdsOnDisk();
        for (int from = 0; from < onDisk.size(); from += BATCH) {
            List<String> ids = onDisk.subList(from, Math.min(from + BATCH, onDisk.size()));
            Map<String, SessionState> states = sessions.statesOf(ids);
            for (String id : ids) {
                SessionState state = states.get(id);
                boolean stillNeeded = state != null && !state.isFinal();
                if (!stillNeeded && store.modifiedBefore(store.sessionFile(id), cutoff)) {
                    isolated(id, tally, () -> {
                        if (state != SessionState.COMPLETED) {
                            tally.namesRemoved += completion.removeUnrecordedNames(id);
                        }
                        store.deleteSession(id);
                        tally.leftovers++;
                    });
                }
            }
        }
        Report report = new Report(staleClaims, tally.chunkRowsDropped, tally.namesRemoved, completed,
                tally.reassembled, tally.failed, tally.leftovers, tally.notRecovered.size());
        if (tally.notRecovered.isEmpty()) {
            LOG.info("Recovery finished: {}", report);
        } else {
            LOG.error("Recovery finished: {}; not recovered, tried again at the next run: {}", report,
                    tally.notRecovered);
        }
        return report;
    }

    /** What one run did, counted as it goes. */
    private static final class Tally {
        int chunkRowsDropped;
        int namesRemoved;
        int reassembled;
        int failed;
        int leftovers;
        final List<String> notRecovered = new ArrayList<>();
    }

    /**
     * One session's repair; a failure (a storage error, a name the file system refuses) is logged
     * and leaves that session as it was, so that one session can neither stop the others' repair
     * nor keep the service from starting.
     */
    private static void isolated(String id, Tally tally, Runnable repair) {
        try {
            repair.run();
        } catch (RuntimeException e) {
            tally.notRecovered.add(id);
            LOG.error("Session {}: recovery could not repair it; the next run tries again", id, e);
        }
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

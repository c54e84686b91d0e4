package io.uploads.core;

import io.uploads.core.UploadException.Problem;
import io.uploads.ledger.Ledger;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Writers of one session never interleave: before a request's body is read, it claims the range
 * it will write in the database (a sequential upload claims everything from its offset on), so a
 * second writer is refused at once, on any instance, without its body being read. The claim is
 * renewed while the body streams in and given up in the transaction that records the bytes (or
 * when they are refused); a claim whose holder was killed expires after {@link #TIME_TO_LIVE},
 * or is removed at start-up when its holder was a process of this host that is gone.
 */
public final class WriterClaims {

    /** How long a claim lives without renewal; a writer renews it at a third of that. */
    public static final Duration TIME_TO_LIVE = Duration.ofMinutes(1);
    private static final Duration RENEW_AFTER = TIME_TO_LIVE.dividedBy(3);
    /** Claims end at most here: a sequential writer claims the rest of the file. */
    public static final long TO_THE_END = Long.MAX_VALUE;

    private final Ledger ledger;
    private final ChunkStore store;
    private final Clock clock;
    /** {@code pid@host}: who holds a claim, and whether that process still runs. */
    private final String holder = ManagementFactory.getRuntimeMXBean().getName();

    public WriterClaims(Ledger ledger, ChunkStore store) {
        this.ledger = ledger;
        this.store = store;
        this.clock = ledger.clock();
    }

    /** A claim taken: its id, the session as it was then, and what keeps it alive while a body streams. */
    public final class Claim implements ChunkStore.Progress {
        private final String id;
        private final UploadSession session;
        private Instant renewAt;
        private @Nullable Runnable undo;

        private Claim(Ledger.Claimed claimed) {
            this.id = claimed.claimId();
            this.session = claimed.session();
            this.renewAt = clock.instant().plus(RENEW_AFTER);
        }

        public String id() {
            return id;
        }

        /** The session under its row lock when the claim was taken. */
        public UploadSession session() {
            return session;
        }

        /**
         * Before renewal is due the claim has two thirds of its life left, so the write that
         * follows lands inside it; a writer that stalled past it finds it gone here, before it
         * writes over a range another writer may have recorded since.
         */
        @Override
        public void beforeWrite() {
            Instant now = clock.instant();
            if (now.isBefore(renewAt)) {
                return;
            }
            if (!ledger.renewClaim(id, now.plus(TIME_TO_LIVE))) {
                throw new UploadException(Problem.CONCURRENT_CHANGE, "the writer claim on session " + session.id()
                        + " expired while the body arrived; send it again");
            }
            renewAt = now.plus(RENEW_AFTER);
        }

        /**
         * Runs {@code writing}, which writes the claimed range and records it (giving the claim up
         * in that transaction); should it fail, the claim is given up here.
         */
        public <T> T whileWriting(Supplier<T> writing) {
            boolean done = false;
            try {
                T result = writing.get();
                done = true;
                return result;
            } finally {
                if (!done) {
                    release();
                }
            }
        }

        /**
         * What {@link #release} also undoes, with the cut: a final name placed ahead of the
         * transaction that was to record these bytes.
         */
        public void undoOnRelease(Runnable action) {
            undo = action;
        }

        /**
         * Gives the claim up without recording anything. The last writer of a session cuts what
         * refused bodies wrote past the recorded bytes, so a refusal leaves the file as it was
         * (what one wrote into a gap between recorded ranges stays there, unrecorded, until the
         * chunk of that range overwrites it). A claim that expired meanwhile undoes nothing:
         * another writer may have taken the session since.
         */
        public void release() {
            ledger.releaseClaim(session.id(), id, recordedEnd -> {
                if (undo != null) {
                    undo.run();
                }
                store.truncate(session.id(), recordedEnd);
            });
        }
    }

    /** Claims [start, end) of the session's file, or refuses with WRITER_BUSY. */
    public Claim claim(String sessionId, long start, long end) {
        return new Claim(ledger.claim(sessionId, start, end, holder, clock.instant().plus(TIME_TO_LIVE)));
    }

    /** At start-up: claims past their time, and those of processes of this host that no longer run. */
    public int releaseStale() {
        String host = holder.substring(holder.indexOf('@') + 1);
        return ledger.releaseStaleClaims(h -> goneFromThisHost(h, host));
    }

    private static boolean goneFromThisHost(String claimHolder, String host) {
        int at = claimHolder.indexOf('@');
        if (at < 0 || !claimHolder.substring(at + 1).equals(host)) {
            return false;
        }
        try {
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(claimHolder.substring(0, at)));
            return process.map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

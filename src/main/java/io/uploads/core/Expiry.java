package io.uploads.core;

import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Open sessions idle past their time to live become EXPIRED, and their bytes are deleted. */
public final class Expiry {

    private static final Logger LOG = LoggerFactory.getLogger(Expiry.class);

    private final Ledger ledger;
    private final SessionQueries sessions;
    private final ChunkStore store;
    private final Clock clock;

    public Expiry(Ledger ledger, SessionQueries sessions, ChunkStore store) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.clock = ledger.clock();
    }

    /**
     * Moves OPEN sessions idle past their {@code expires_at} to EXPIRED and deletes their bytes.
     * A session that received a chunk since it was listed is left alone (compare-and-set), and so
     * is one whose body is still arriving (a live writer claim): it is not idle, and its writer
     * records it once the body is in.
     *
     * @return how many sessions expired
     */
    public int expireIdleSessions() {
        return expireIdleSessions(Actor.SYSTEM);
    }

    public int expireIdleSessions(Actor actor) {
        int expired = 0;
        List<UploadSession> batch;
        int movedInBatch;
        do {
            Instant now = clock.instant();
            batch = sessions.expired(now, 500);
            movedInBatch = 0;
            for (UploadSession s : batch) {
                if (expireIfIdle(s, actor, now)) {
                    movedInBatch++;
                }
            }
            expired += movedInBatch;
            // a full batch that moved nothing is listed again as it is: the next sweep tries it
        } while (batch.size() == 500 && movedInBatch > 0);
        return expired;
    }

    /**
     * Moves {@code s} to EXPIRED and deletes its bytes if, under its row lock, it is still OPEN,
     * past its expiry at {@code now} and no writer holds a claim on it (compare-and-set: a chunk
     * that arrived since it was read keeps it open).
     *
     * @return whether it expired
     */
    public boolean expireIfIdle(UploadSession s, Actor actor, Instant now) {
        boolean moved = ledger.change(s.id(), actor, change -> {
            UploadSession l = change.session();
            if (l.stage() != Stage.OPEN || !l.expiresAt().isBefore(now) || change.writerClaimed()) {
                return false;    // a chunk arrived since it was read, or one is arriving
            }
            change.moveTo(Stage.EXPIRED, "idle since " + l.updatedAt());
            change.afterCommit(() -> store.deleteSession(s.id()));
            return true;
        });
        if (moved) {
            LOG.info("Session {} expired: idle since {} ({} of {} bytes received)", s.id(), s.updatedAt(),
                    s.receivedBytes(), s.totalSize() == null ? "?" : s.totalSize());
        }
        return moved;
    }
}

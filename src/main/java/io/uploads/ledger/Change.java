package io.uploads.ledger;

import io.uploads.core.Actor;
import io.uploads.core.AuditEntry;
import io.uploads.core.AuditEvent;
import io.uploads.core.Chunk;
import io.uploads.core.Stage;
import io.uploads.core.UploadException;
import io.uploads.core.UploadException.Problem;
import io.uploads.core.UploadSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One session's rows inside a {@link Ledger} transaction, under the session's row lock: what the
 * use cases read and write while they decide. Every move is checked against {@link Stage}'s table
 * and queues its audit row, which the ledger appends before the transaction commits. Valid only
 * inside the function the ledger runs it in.
 */
public final class Change {

    private final Rows rows;
    private final Clock clock;
    private final Actor actor;
    private final String id;
    /** The locked row, kept up to date by every update this change makes to it. */
    private UploadSession current;
    private final List<AuditEntry> events = new ArrayList<>();
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Chunk> chunksAdded = new ArrayList<>();
    private @Nullable Duration assembly;

    Change(Rows rows, Clock clock, Actor actor, UploadSession locked) {
        this.rows = rows;
        this.clock = clock;
        this.actor = actor;
        this.id = locked.id();
        this.current = locked;
    }

    /** The session's row as this transaction sees it now. */
    public UploadSession session() {
        return current;
    }

    public Optional<Chunk> chunk(int number) {
        return rows.chunks().find(id, number);
    }

    public List<Chunk> chunks() {
        return rows.chunks().list(id);
    }

    public int chunkCount() {
        return rows.chunks().count(id);
    }

    /**
     * Whether a writer holds a live claim on some range of the session's file. Claims past their
     * time are removed on the way: their writers, which may still be running, can then neither
     * renew them before their next write nor record under them.
     */
    public boolean writerClaimed() {
        rows.claims().deleteExpired(id, clock.instant());
        return rows.claims().count(id) > 0;
    }

    /** Records a chunk whose bytes are durable on disk, and the session's progress with it. */
    public void addChunk(Chunk chunk, int maxChunk, String group, Instant expiresAt) {
        requireStage(Stage.OPEN, "take bytes");
        rows.chunks().insert(chunk);
        chunksAdded.add(chunk);
        long receivedBytes = current.receivedBytes() + chunk.sizeBytes();
        write(rows.sessions().recordProgress(id, maxChunk, receivedBytes, group, chunk.receivedAt(), expiresAt),
                current.withProgress(maxChunk, receivedBytes, group, chunk.receivedAt(), expiresAt));
    }

    /**
     * Gives up the writer claim under which the bytes being recorded were written. Refused when
     * the claim is gone: it expired, so another writer may have written the same range since.
     */
    public void releaseClaim(String claimId) {
        if (rows.claims().delete(claimId) == 0) {
            throw new UploadException(Problem.CONCURRENT_CHANGE, "the writer claim on session " + id
                    + " expired while the body arrived; send the chunk again");
        }
    }

    /** Recovery: forgets a chunk whose bytes are missing on disk. */
    public void dropChunk(int number) {
        rows.chunks().delete(id, number);
    }

    /** Recovery: the progress that the chunks it kept add up to; the expiry stays as it was. */
    public void resetProgress(int maxChunk, long receivedBytes, int chunkCount) {
        Instant now = clock.instant();
        write(rows.sessions().resetProgress(id, maxChunk, receivedBytes, chunkCount, now),
                current.withProgress(maxChunk, receivedBytes, now));
    }

    public void setGroup(String group) {
        Instant now = clock.instant();
        write(rows.sessions().setGroup(id, group, now), current.withGroup(group, now));
    }

    /** tus creation-defer-length: the length, declared once. */
    public void declareTotalSize(long totalSize) {
        write(rows.sessions().declareTotalSize(id, totalSize), current.withTotalSize(totalSize));
    }

    /** Moves the session along {@link Stage}'s table; any other move is refused and changes nothing. */
    public void moveTo(Stage next, @Nullable String detail) {
        Stage from = requireMove(next);
        // what the audit row tells of the session (names, group, bytes) a move does not change
        audit(AuditEvent.entering(next), detail);
        Instant now = clock.instant();
        Instant dueAt = next == Stage.COMPLETION_DUE ? now : null;
        write(rows.sessions().move(id, from.stored(), from == Stage.COMPLETION_DUE, next.stored(), dueAt, now),
                current.inState(next.stored(), dueAt, now));
    }

    /** ASSEMBLING → COMPLETED, with the final file's place and digest. */
    public void complete(String finalPath, String sha256, long size) {
        requireMove(Stage.COMPLETED);
        // the locked row was last written when it entered ASSEMBLING: nothing else writes it there
        Instant assemblingSince = current.updatedAt();
        audit(AuditEvent.SESSION_COMPLETED, "size " + size + ", sha256 " + sha256 + ", path " + finalPath);
        Instant now = clock.instant();
        write(rows.sessions().complete(id, finalPath, sha256, now), current.completed(finalPath, sha256, now));
        assembly = Duration.between(assemblingSince, now);
    }

    /** An audit row about this session, appended in this transaction. */
    public void audit(AuditEvent event, @Nullable String detail) {
        events.add(AuditEntry.about(session(), event, actor, clock.instant(), detail));
    }

    /** Work on disk that may happen only once this transaction committed (deleting bytes). */
    public void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    /**
     * Undoes work on disk that this transaction did ahead of its commit, should it roll back
     * instead (a crash before either is recovery's to undo).
     */
    public void onRollback(Runnable action) {
        rows.write().afterRollback(action);
    }

    List<AuditEntry> events() {
        return events;
    }

    List<Runnable> afterCommitActions() {
        return afterCommit;
    }

    List<Chunk> chunksAdded() {
        return chunksAdded;
    }

    @Nullable Duration assembly() {
        return assembly;
    }

    private Stage requireMove(Stage next) {
        Stage from = session().stage();
        if (!from.canMoveTo(next)) {
            throw new UploadException(Problem.SESSION_NOT_OPEN,
                    "session " + id + " is " + from + " and cannot become " + next);
        }
        return from;
    }

    private void requireStage(Stage expected, String what) {
        Stage stage = session().stage();
        if (stage != expected) {
            throw new UploadException(Problem.SESSION_NOT_OPEN,
                    "session " + id + " is " + stage + "; only an " + expected + " session may " + what);
        }
    }

    /** An update of the locked row, and the row as it leaves it. */
    private void write(boolean changed, UploadSession after) {
        // the row is locked by this transaction, so a compare-and-set can only fail on a bug
        if (!changed) {
            throw new IllegalStateException("session " + id + " changed under its row lock");
        }
        current = after;
    }
}

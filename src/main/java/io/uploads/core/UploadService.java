package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.core.ChunkStore.StagedChunk;
import io.uploads.core.UploadException.Problem;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Change;
import io.uploads.ledger.Ledger;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The use cases of sequential uploads (native chunks in order, tus bytes at an offset), their
 * completion, abort and expiry, whatever the protocol. Every change goes through the {@link Ledger}.
 *
 * <p>Order of a chunk write: stream the body to a temporary file (md5 on the way, no lock held)
 * → fsync → lock the session row → check it still accepts this chunk → rename the file into place
 * → insert the chunk row and advance the session → commit. A chunk row therefore never exists
 * without its bytes, and a row lock is never held while reading a socket.
 */
public final class UploadService {

    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);

    private final Ledger ledger;
    private final SessionQueries sessions;
    private final ChunkStore store;
    private final Assembler assembler;
    private final Clock clock;
    private final UploadsConfig config;

    public UploadService(Ledger ledger, SessionQueries sessions, ChunkStore store, UploadsConfig config) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.assembler = new Assembler(store, config.onExistingFile());
        this.clock = ledger.clock();
        this.config = config;
    }

    /** Creates a session whose first chunk is {@code body}; nothing is kept if the chunk is refused. */
    public SessionSnapshot startSequential(Caller caller, Protocol protocol, String filename, @Nullable String group,
                                           InputStream body, ChunkChecks checks, long maxBytes) {
        Filenames.requireValid(filename);
        String groupName = caller.groupFor(group);
        requireRoomForSession(caller);
        if (checks.offset() != null && checks.offset() != 0) {
            throw new UploadException(Problem.OFFSET_MISMATCH, "a new upload starts at offset 0, not " + checks.offset());
        }
        long limit = Math.min(maxBytes, config.maxUploadSize().toBytes());
        requireDeclaredWithin(checks, limit);
        String id = UUID.randomUUID().toString();
        StagedChunk staged;
        try {
            staged = stage(id, body, limit, checks);
        } catch (RuntimeException e) {
            store.deleteSession(id);    // the directory staging made for a session that never was
            throw e;
        }
        Instant now = clock.instant();
        UploadSession fresh = new UploadSession(id, caller.name(), groupName, filename, protocol, SessionState.OPEN,
                null, null, 0, 0, now, now, expiry(now), null, null, null, null, null, null, null);
        Chunk first = new Chunk(id, 1, 0, staged.size(), staged.md5(), now);
        UploadSession session;
        try {
            session = ledger.open(fresh, config.maxOpenSessionsPerPrincipal(), caller.actor(), change -> {
                store.commit(staged, id, 1);
                change.addChunk(first, 1, groupName, expiry(now));
                return change.session();
            });
        } catch (RuntimeException e) {
            store.deleteSession(id);    // nobody else can know this id yet
            throw e;
        }
        LOG.info("Session {} created by {} via {}: {} in group {}", id, caller.name(), protocol.wireName(),
                filename, groupName);
        return new SessionSnapshot(session, Optional.of(first));
    }

    /**
     * Records chunk {@code number} of a sequential session: the next one, or the last one again
     * (acknowledged unchanged if its bytes are the same, so a retry after a lost answer succeeds).
     */
    public SessionSnapshot appendSequential(Caller caller, String id, @Nullable String filename, int number,
                                            @Nullable String group, InputStream body, ChunkChecks checks) {
        UploadSession session = owned(caller, id, filename);
        requireProtocol(session, Protocol.RESUMABLES);
        requireOpen(session);
        String groupName = group == null ? session.groupName() : caller.groupFor(group);
        requireInOrder(session, number);
        boolean resend = number == session.maxChunk();
        if (checks.offset() != null) {
            long expectedOffset = resend ? lastChunkOf(session).map(Chunk::chunkOffset).orElse(0L) : session.receivedBytes();
            requireOffset(checks.offset(), expectedOffset);
        }
        long limit = resend
                ? config.maxChunkSize().toBytes()
                : Math.min(config.maxChunkSize().toBytes(), config.maxUploadSize().toBytes() - session.receivedBytes());
        requireDeclaredWithin(checks, limit);
        StagedChunk staged = stage(id, body, limit, checks);
        try {
            return ledger.change(id, caller.actor(), change -> {
                UploadSession locked = change.session();
                requireOpen(locked);
                if (number == locked.maxChunk()) {
                    Chunk existing = change.chunk(number).orElseThrow();
                    if (existing.md5().equals(staged.md5()) && existing.sizeBytes() == staged.size()) {
                        LOG.debug("Session {}: chunk {} resent with the same bytes", id, number);
                        return new SessionSnapshot(locked, Optional.of(existing));
                    }
                    throw new UploadException(Problem.CHUNK_ORDER_INCORRECT, "chunk_order_incorrect: chunk " + number
                            + " was already received with different bytes; expected chunk " + (number + 1));
                }
                requireInOrder(locked, number);
                if (checks.offset() != null) {
                    requireOffset(checks.offset(), locked.receivedBytes());
                }
                if (locked.receivedBytes() + staged.size() > config.maxUploadSize().toBytes()) {
                    throw new UploadException(Problem.TOO_LARGE,
                            "upload would exceed the limit of " + config.maxUploadSize().toBytes() + " bytes");
                }
                Instant now = clock.instant();
                Chunk chunk = new Chunk(id, number, locked.receivedBytes(), staged.size(), staged.md5(), now);
                store.commit(staged, id, number);
                try {
                    change.addChunk(chunk, number, groupName, expiry(now));
                } catch (RuntimeException e) {
                    store.deleteChunk(id, number);     // still under the lock: no one else wrote it
                    throw e;
                }
                LOG.debug("Session {}: chunk {} recorded ({} bytes at {})", id, number, chunk.sizeBytes(), chunk.chunkOffset());
                return new SessionSnapshot(change.session(), Optional.of(chunk));
            });
        } finally {
            discard(staged, id);
        }
    }

    /**
     * Assembles the final file of a native session once every chunk is recorded. Exactly one
     * caller moves the session to ASSEMBLING; asking again after completion returns the completed
     * session unchanged.
     */
    public SessionSnapshot complete(Caller caller, String id, @Nullable String filename, @Nullable String group) {
        UploadSession session = owned(caller, id, filename);
        requireProtocol(session, Protocol.RESUMABLES);
        return complete(session, group == null ? session.groupName() : caller.groupFor(group), caller.actor());
    }

    /**
     * Completes OPEN sessions that have held every byte of their declared length since before
     * {@code before}: a crash cut off the completion that follows the last bytes (tus), or the
     * assembly could not finish then (storage full, name taken). Those that still cannot be
     * completed stay due for the next try.
     *
     * @return how many were completed
     */
    public int completeDueSessions(Instant before) {
        int completed = 0;
        for (UploadSession s : sessions.completionDue(before, 500)) {
            try {
                complete(s, s.groupName(), Actor.SYSTEM);
                completed++;
                LOG.info("Session {} completed by the server: it held every byte since {}", s.id(), s.updatedAt());
            } catch (UploadException e) {
                LOG.warn("Session {} holds every byte but cannot be completed now: {}", s.id(), e.getMessage());
            }
        }
        return completed;
    }

    private SessionSnapshot complete(UploadSession session, String groupName, Actor actor) {
        String id = session.id();
        if (session.state() == SessionState.COMPLETED) {
            return snapshot(session);
        }
        UploadSession assembling = ledger.change(id, actor, change -> {
            UploadSession locked = change.session();
            if (locked.state() == SessionState.COMPLETED) {
                return locked;
            }
            if (locked.state() == SessionState.ASSEMBLING) {
                throw new UploadException(Problem.ASSEMBLY_IN_PROGRESS, "session " + id + " is being assembled; ask again shortly");
            }
            requireCompletable(locked);
            List<Chunk> recorded = change.chunks();
            requireAllBytes(locked, recorded);
            if (recorded.size() > 1) {
                store.requireFreeSpace(locked.receivedBytes());    // chunks are copied into one file
            }
            requireNameFree(groupName, locked.filename());
            if (!groupName.equals(locked.groupName())) {
                change.setGroup(groupName);
            }
            change.moveTo(Stage.ASSEMBLING, null);
            return change.session();
        });
        if (assembling.state() == SessionState.COMPLETED) {
            return snapshot(assembling);
        }
        return snapshot(finishAssembly(assembling, actor));
    }

    /**
     * A session with no bytes yet, written at offsets later (tus creation). A declared length of
     * zero completes at once; a null length is declared later (creation-defer-length).
     *
     * @param filename the final file's name; without one, the file is named after the session id
     */
    public SessionSnapshot create(Caller caller, Protocol protocol, @Nullable String filename, @Nullable String group,
                                  @Nullable Long totalSize, @Nullable String clientMetadata) {
        if (filename != null) {
            Filenames.requireValid(filename);
        }
        String groupName = caller.groupFor(group);
        if (totalSize != null) {
            requireTotalWithin(totalSize);
        }
        if (filename != null) {
            requireNameFree(groupName, filename);
        }
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        UploadSession session = new UploadSession(id, caller.name(), groupName, filename == null ? id : filename,
                protocol, SessionState.OPEN, totalSize, null, 0, 0, now, now, expiry(now), null, null, null,
                null, null, clientMetadata, null);
        ledger.open(session, config.maxOpenSessionsPerPrincipal(), caller.actor(), change -> {
            if (session.allBytesReceived()) {
                change.moveTo(Stage.COMPLETION_DUE, "declared empty");
            }
            return null;
        });
        LOG.info("Session {} created by {} via {}: {} in group {} ({} bytes)", id, caller.name(),
                protocol.wireName(), session.filename(), groupName, totalSize == null ? "deferred" : totalSize);
        return session.allBytesReceived() ? complete(session, groupName, caller.actor()) : snapshot(session);
    }

    /**
     * Appends a body at {@code offset}, which must be where the session's bytes end (tus PATCH).
     * Of a body that ends early, the bytes that arrived are kept, unless a checksum was asked for
     * (it could not be verified). The session completes once its bytes reach the declared length.
     *
     * @param declaredTotal the length, when this request declares it (creation-defer-length)
     */
    public SessionSnapshot appendAtOffset(Caller caller, String id, long offset, @Nullable Long declaredTotal,
                                          InputStream body, ChunkChecks checks) {
        UploadSession session = owned(caller, id, null);
        requireProtocol(session, Protocol.TUS);
        if ((session.state() == SessionState.COMPLETED || session.stage() == Stage.COMPLETION_DUE)
                && offset == session.receivedBytes() && isEmpty(body)) {
            // a client that cannot tell it is done sends no bytes at the final offset; nothing to
            // do but finish, if that has not happened yet
            return session.state() == SessionState.COMPLETED ? snapshot(session)
                    : complete(session, session.groupName(), caller.actor());
        }
        requireOpen(session);
        requireOffset(offset, session.receivedBytes());
        Long total = totalAfter(session, declaredTotal);
        long limit = (total != null ? total : config.maxUploadSize().toBytes()) - session.receivedBytes();
        requireDeclaredWithin(checks, limit);
        StagedChunk staged = stage(id, body, limit, checks);
        try {
            UploadSession appended = ledger.change(id, caller.actor(), change -> {
                UploadSession locked = change.session();
                requireOpen(locked);
                requireOffset(offset, locked.receivedBytes());    // another request appended meanwhile
                requireSameLength(locked, total, staged.size());  // another request declared it meanwhile
                if (declaredTotal != null && locked.totalSize() == null) {
                    requireAtLeastReceived(declaredTotal, locked.receivedBytes() + staged.size());
                    change.declareTotalSize(declaredTotal);
                }
                if (staged.size() > 0) {
                    Instant now = clock.instant();
                    Chunk chunk = new Chunk(id, locked.maxChunk() + 1, offset, staged.size(), staged.md5(), now);
                    store.commit(staged, id, chunk.chunkNumber());
                    try {
                        change.addChunk(chunk, chunk.chunkNumber(), locked.groupName(), expiry(now));
                    } catch (RuntimeException e) {
                        store.deleteChunk(id, chunk.chunkNumber());
                        throw e;
                    }
                }
                if (total != null && offset + staged.size() == total) {
                    // completion follows this transaction; should it not happen, the sweep sees to it
                    change.moveTo(Stage.COMPLETION_DUE, null);
                }
                return change.session();
            });
            if (staged.interrupted()) {
                LOG.info("Session {}: request body interrupted; the {} bytes that arrived are kept, offset now {}",
                        id, staged.size(), appended.receivedBytes());
            }
            return appended.allBytesReceived() ? complete(appended, appended.groupName(), caller.actor())
                    : snapshot(appended);
        } finally {
            discard(staged, id);
        }
    }

    private static boolean isEmpty(InputStream body) {
        try {
            return body.read() < 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Under the lock: the length this request was checked against before its body arrived is
     * still the session's, and the body fits in it.
     */
    private static void requireSameLength(UploadSession locked, @Nullable Long checkedAgainst, long bodySize) {
        Long now = locked.totalSize();
        if (now != null && (!now.equals(checkedAgainst) || locked.receivedBytes() + bodySize > now)) {
            throw new UploadException(Problem.CONCURRENT_CHANGE, "another request declared the length of session "
                    + locked.id() + " as " + now + " bytes meanwhile");
        }
    }

    /** The length a session will have once {@code declared} is taken into account, checked. */
    private @Nullable Long totalAfter(UploadSession session, @Nullable Long declared) {
        if (declared == null) {
            return session.totalSize();
        }
        if (session.totalSize() != null && !session.totalSize().equals(declared)) {
            throw new UploadException(Problem.INVALID_REQUEST, "the length of session " + session.id()
                    + " is already declared as " + session.totalSize() + " bytes");
        }
        requireTotalWithin(declared);
        requireAtLeastReceived(declared, session.receivedBytes());
        return declared;
    }

    /** Under the reject policy, a final name already taken is refused before any work is done. */
    void requireNameFree(String group, String filename) {
        if (config.onExistingFile() == ExistingFilePolicy.reject && assembler.nameTaken(group, filename)) {
            throw new UploadException(Problem.FILE_EXISTS, "a file named " + filename + " already exists in group "
                    + group);
        }
    }

    void requireTotalWithin(long totalSize) {
        if (totalSize > config.maxUploadSize().toBytes()) {
            throw new UploadException(Problem.TOO_LARGE, "an upload of " + totalSize
                    + " bytes is larger than the limit of " + config.maxUploadSize().toBytes() + " bytes");
        }
    }

    private static void requireAtLeastReceived(long totalSize, long received) {
        if (totalSize < received) {
            throw new UploadException(Problem.INVALID_REQUEST,
                    "a length of " + totalSize + " bytes is less than the " + received + " bytes received");
        }
    }

    /**
     * Builds the final file of a session in ASSEMBLING and records completion. Also how recovery
     * finishes a session a crash left half-assembled: every step may safely run again.
     */
    public UploadSession finishAssembly(UploadSession session, Actor actor) {
        String id = session.id();
        Assembler.Placed placed;
        try {
            placed = assembler.assemble(session, sessions.chunks(id));
        } catch (UploadException e) {
            if (e.problem() == Problem.BYTES_UNUSABLE) {
                ledger.change(id, actor, change -> {
                    change.moveTo(Stage.FAILED, e.getMessage());
                    change.afterCommit(() -> store.deleteSession(id));
                    return null;
                });
                LOG.warn("Session {} failed: {}", id, e.getMessage());
            } else {
                release(id, e, actor);
            }
            throw e;
        } catch (RuntimeException e) {
            release(id, e, actor);
            throw e;
        }
        UploadSession completed = ledger.change(id, actor, change -> {
            if (change.session().state() == SessionState.ASSEMBLING) {
                change.complete(placed.relativePath(), placed.sha256(), placed.size());
                LOG.info("Session {} completed: {} ({} bytes, sha256 {})", id, placed.relativePath(), placed.size(),
                        placed.sha256());
            }
            // the chunks live on in the final file; recovery removes leftovers
            change.afterCommit(() -> store.deleteSession(id));
            return change.session();
        });
        return completed;
    }

    /** Abandons an OPEN session and deletes its bytes; its rows stay for the audit. */
    public UploadSession abort(Caller caller, String id, @Nullable String filename) {
        owned(caller, id, filename);
        return abort(id, caller.actor(), "by its owner");
    }

    /**
     * Abandons an open session (also one due for completion), by its owner or an administrator,
     * and deletes its bytes; a finished one is refused and never changes.
     */
    public UploadSession abort(String id, Actor actor, String detail) {
        UploadSession aborted = ledger.change(id, actor, change -> {
            UploadSession locked = change.session();
            if (locked.stage() != Stage.COMPLETION_DUE) {
                requireOpen(locked);
            }
            change.moveTo(Stage.ABORTED, detail);
            change.afterCommit(() -> store.deleteSession(id));
            return change.session();
        });
        LOG.info("Session {} aborted by {} ({})", id, actor.name(), detail);
        return aborted;
    }

    /**
     * Moves OPEN sessions idle past their {@code expires_at} to EXPIRED and deletes their bytes.
     * A session that received a chunk since it was listed is left alone (compare-and-set).
     *
     * @return how many sessions expired
     */
    public int expireIdleSessions() {
        return expireIdleSessions(Actor.SYSTEM);
    }

    public int expireIdleSessions(Actor actor) {
        int expired = 0;
        List<UploadSession> batch;
        do {
            Instant now = clock.instant();
            batch = sessions.expired(now, 500);
            for (UploadSession s : batch) {
                boolean moved = ledger.change(s.id(), actor, change -> {
                    UploadSession l = change.session();
                    if (l.stage() != Stage.OPEN || !l.expiresAt().isBefore(now)) {
                        return false;    // a chunk arrived since it was listed
                    }
                    change.moveTo(Stage.EXPIRED, "idle since " + l.updatedAt());
                    change.afterCommit(() -> store.deleteSession(s.id()));
                    return true;
                });
                if (moved) {
                    expired++;
                    LOG.info("Session {} expired: idle since {} ({} of {} bytes received)", s.id(), s.updatedAt(),
                            s.receivedBytes(), s.totalSize() == null ? "?" : s.totalSize());
                }
            }
        } while (batch.size() == 500);
        return expired;
    }

    public SessionSnapshot find(Caller caller, String id, @Nullable String filename) {
        return snapshot(owned(caller, id, filename));
    }

    /**
     * The caller's session as a resume query describes it: an aborted or expired session is not
     * resumable, its bytes are gone, so it is answered as an unknown one.
     */
    public SessionSnapshot findResumable(Caller caller, String id, @Nullable String filename) {
        UploadSession session = owned(caller, id, filename);
        if (session.state() == SessionState.ABORTED || expired(session)) {
            throw notFound(id);
        }
        return snapshot(session);
    }

    /** The caller's most recently active OPEN session for this filename. */
    public Optional<SessionSnapshot> latestOpen(Caller caller, String filename) {
        return sessions.latestOpen(caller.name(), filename).map(this::snapshot);
    }

    public List<SessionSnapshot> listOpen(Caller caller) {
        return sessions.listOpenWithLastChunk(caller.name(), config.maxOpenSessionsPerPrincipal());
    }

    SessionSnapshot snapshot(UploadSession session) {
        return new SessionSnapshot(session, lastChunkOf(session));
    }

    private Optional<Chunk> lastChunkOf(UploadSession session) {
        return session.maxChunk() == 0 ? Optional.empty() : sessions.chunk(session.id(), session.maxChunk());
    }

    /** Receives a chunk's bytes into a durable temporary file; refusals keep nothing. */
    StagedChunk stage(String id, InputStream body, long limit, ChunkChecks checks) {
        Checksum checksum = checks.checksum();
        String otherDigest = checksum == null || checksum.isMd5() ? null : checksum.algorithm();
        boolean keepInterrupted = checks.keepInterrupted() && checksum == null;
        StagedChunk staged = store.stage(id, body, limit, checks.declaredLength(), otherDigest, keepInterrupted);
        if (staged.size() == 0 && !checks.emptyAllowed()) {
            store.discard(staged);
            throw new UploadException(Problem.INVALID_REQUEST, "the chunk is empty");
        }
        if (checksum != null) {
            byte[] actual = checksum.isMd5() ? HexFormat.of().parseHex(staged.md5()) : staged.digest();
            if (!checksum.matches(actual)) {
                store.discard(staged);
                throw new UploadException(Problem.CHECKSUM_MISMATCH, checksum.algorithm().toLowerCase(Locale.ROOT)
                        + " of the chunk is " + HexFormat.of().formatHex(actual) + ", not " + checksum.expectedHex());
            }
        }
        return staged;
    }

    /**
     * Drops a staged chunk that was not moved into place (no-op if it was). Staging re-creates the
     * session's directory, so if the session finished meanwhile, the directory goes too.
     */
    void discard(StagedChunk staged, String sessionId) {
        boolean refused = store.discard(staged);
        if (refused && sessions.find(sessionId).map(s -> s.state().isFinal()).orElse(false)) {
            store.deleteSession(sessionId);
        }
    }

    /**
     * Assembly could not finish but every byte is still there: the session takes chunks again, or
     * (its length declared and reached) waits for the server to complete it.
     */
    private void release(String id, RuntimeException cause, Actor actor) {
        ledger.change(id, actor, change -> {
            change.moveTo(change.session().allBytesReceived() ? Stage.COMPLETION_DUE : Stage.OPEN,
                    "assembly did not finish: " + cause.getMessage());
            return null;
        });
        LOG.warn("Session {}: assembly did not finish, session is open again: {}", id, cause.toString());
    }

    UploadSession owned(Caller caller, String id, @Nullable String filename) {
        return sessions.find(id)
                .filter(s -> s.owner().equals(caller.name()))
                .filter(s -> filename == null || s.filename().equals(filename))
                .orElseThrow(() -> notFound(id));
    }

    /**
     * Refuses early, before a body is read; the ledger decides for certain, counting under the
     * principal's quota lock in the transaction that opens the session.
     */
    void requireRoomForSession(Caller caller) {
        if (sessions.countOpen(caller.name()) >= config.maxOpenSessionsPerPrincipal()) {
            throw new UploadException(Problem.TOO_MANY_SESSIONS, caller.name() + " already has "
                    + config.maxOpenSessionsPerPrincipal() + " open upload sessions; finish or delete one");
        }
    }

    private static void requireDeclaredWithin(ChunkChecks checks, long limit) {
        if (checks.declaredLength() > limit) {
            throw new UploadException(Problem.TOO_LARGE,
                    "chunk of " + checks.declaredLength() + " bytes is larger than the limit of " + limit + " bytes");
        }
    }

    /**
     * Expired, or OPEN past its expiry, which the schedule may not have noticed yet. A session due
     * for completion holds every byte its client sent and never expires.
     */
    public boolean expired(UploadSession session) {
        return session.state() == SessionState.EXPIRED
                || (session.state() == SessionState.OPEN && session.completionDueAt() == null
                        && session.expiresAt().isBefore(clock.instant()));
    }

    /** Holds every byte of its declared length, or is open and not past its expiry. */
    private void requireCompletable(UploadSession session) {
        if (session.stage() != Stage.COMPLETION_DUE) {
            requireOpen(session);
        }
    }

    /** OPEN and not past its expiry. */
    void requireOpen(UploadSession session) {
        if (expired(session)) {
            throw new UploadException(Problem.SESSION_EXPIRED,
                    "session " + session.id() + " expired at " + session.expiresAt() + "; start the upload again");
        }
        if (session.state() != SessionState.OPEN) {
            throw new UploadException(Problem.SESSION_NOT_OPEN,
                    "session " + session.id() + " is " + session.state()
                            + "; only an OPEN session takes chunks or can be deleted");
        }
    }

    private static void requireProtocol(UploadSession session, Protocol protocol) {
        if (session.protocol() != protocol) {
            throw new UploadException(Problem.INVALID_REQUEST, "session " + session.id() + " is a "
                    + session.protocol().wireName() + " upload; continue it with that protocol");
        }
    }

    private static void requireInOrder(UploadSession session, int number) {
        int expected = session.maxChunk() + 1;
        if (number != expected && number != session.maxChunk()) {
            throw new UploadException(Problem.CHUNK_ORDER_INCORRECT,
                    "chunk_order_incorrect: expected chunk " + expected + ", got chunk " + number);
        }
    }

    private static void requireOffset(long given, long expected) {
        if (given != expected) {
            throw new UploadException(Problem.OFFSET_MISMATCH, "offset " + given + " does not match " + expected);
        }
    }

    private static void requireAllBytes(UploadSession session, List<Chunk> recorded) {
        long sum = recorded.stream().mapToLong(Chunk::sizeBytes).sum();
        boolean declaredEmpty = session.totalSize() != null && session.totalSize() == 0;
        if ((recorded.isEmpty() && !declaredEmpty) || recorded.size() != session.maxChunk()
                || sum != session.receivedBytes()) {
            throw new UploadException(Problem.INCOMPLETE_UPLOAD,
                    "session " + session.id() + " has no complete run of chunks to assemble");
        }
        if (session.totalSize() != null && sum != session.totalSize()) {
            throw new UploadException(Problem.INCOMPLETE_UPLOAD,
                    "received " + sum + " of " + session.totalSize() + " bytes");
        }
    }

    Instant expiry(Instant now) {
        return now.plus(Duration.ofMillis(config.sessionTtl().toMilliseconds()));
    }

    static UploadException notFound(String id) {
        return new UploadException(Problem.NOT_FOUND, "no upload session " + id);
    }
}

package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.core.ChunkStore.Received;
import io.uploads.core.UploadException.Problem;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Change;
import io.uploads.ledger.DuplicateKey;
import io.uploads.ledger.Ledger;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads whose chunks arrive in any order and in parallel (flow.js, resumable.js), each written
 * at its offset {@code (n - 1) * chunkSize} of the session's file. The session is the caller's
 * active one under the client's identifier; the first chunks of a new identifier may race, and the
 * database's unique constraint on the active key decides which one creates it.
 * Whichever request records the last missing chunk moves the session to ASSEMBLING under the row
 * lock, so the file is assembled exactly once, however the chunks were ordered.
 */
public final class NumberedChunks {

    private static final Logger LOG = LoggerFactory.getLogger(NumberedChunks.class);
    /** A lost creation race joins the winner; only a winner already finished again sends us round. */
    private static final int CREATE_ATTEMPTS = 3;

    private final Ledger ledger;
    private final SessionQueries sessions;
    private final ChunkStore store;
    private final WriterClaims claims;
    private final UploadRules rules;
    private final Completion completion;
    private final Expiry expiry;
    private final Clock clock;
    private final UploadsConfig config;
    /** Sessions whose completing request is still being answered on this instance, by owner and key. */
    private final Map<String, Completing> answering = new ConcurrentHashMap<>();
    /**
     * Sessions whose completing request has been answered on this instance while the database
     * does not say so yet (the mark waits its turn to be written), by owner and key: a new
     * upload's questions must not be answered from them meanwhile.
     */
    private final Map<String, String> answeredNotYetMarked = new ConcurrentHashMap<>();

    public NumberedChunks(Ledger ledger, SessionQueries sessions, ChunkStore store, WriterClaims claims,
                          UploadRules rules, Completion completion, Expiry expiry, UploadsConfig config) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.claims = claims;
        this.rules = rules;
        this.completion = completion;
        this.expiry = expiry;
        this.clock = ledger.clock();
        this.config = config;
    }

    /**
     * Whether the caller's upload under this identifier already holds this chunk, as of
     * {@code askedAt}, when the question arrived. An upload that holds every chunk but is still
     * open had its assembly fail (disk full); its last chunk is reported missing, so the client
     * sends it again and that request assembles.
     *
     * <p>The libraries test and send three chunks at a time, so the last missing chunk may
     * complete the upload while the test of a chunk it holds is being answered. That question was
     * asked of the active upload: an upload of the same file completed since {@code askedAt}, or
     * whose completing request is still being answered, answers it, so the client does not send
     * the chunk again (which would start a new upload). An upload whose completion was answered
     * before the question arrived answers nothing: a client asking then is uploading anew, maybe
     * an edited file under the same identifier, and must send every chunk.
     *
     * <p>An upload whose completion its client was never told of (the server was killed before the
     * completing request was answered; recovery or the sweep completed it) is asked again by that
     * client: it answers for as long as an open session would have waited for it ({@code sessionTtl}).
     * Once a completing request is answered, the database says so.
     */
    public boolean hasChunk(Caller caller, NumberedChunk chunk, Instant askedAt) {
        caller.groupFor(chunk.group());    // the same 403 the chunk itself would get
        // one past its expiry holds nothing any more, though the sweep may not have reached it yet
        Optional<UploadSession> active = sessions.activeByKey(caller.name(), chunk.clientKey())
                .filter(s -> !rules.expired(s));
        String key = answerKey(caller, chunk);
        Completing completing = answering.get(key);
        // read before the database: once the mark is written, the database says it
        String answered = answeredNotYetMarked.get(key);
        Optional<UploadSession> session = active.isPresent() ? active
                : completing != null ? sessions.find(completing.sessionId())
                : sessions.completedByKeySince(caller.name(), chunk.clientKey(), askedAt)
                        .or(() -> sessions.completedUnansweredSince(caller.name(), chunk.clientKey(),
                                askedAt.minusMillis(config.sessionTtl().toMilliseconds()))
                                .filter(s -> !s.id().equals(answered)));
        return session
                .filter(s -> sameUpload(chunk, s))
                .filter(s -> !(s.stage() == Stage.COMPLETION_DUE && chunk.number() == chunk.totalChunks()))
                .flatMap(s -> sessions.chunk(s.id(), chunk.number()))
                .isPresent();
    }

    /**
     * Records one chunk, creating the session with the identifier's first chunk. The same chunk
     * sent again with the same bytes is acknowledged and changes nothing. A chunk of an upload in
     * progress is written into its range of the session's file under a writer claim on that range,
     * so chunks are written side by side and never two writers in one range.
     *
     * @return the session afterwards, with the chunk this request was about
     */
    public SessionSnapshot record(Caller caller, Protocol protocol, NumberedChunk chunk, InputStream body) {
        Filenames.requireValid(chunk.filename());
        String group = caller.groupFor(chunk.group());
        rules.requireTotalWithin(chunk.totalSize());
        if (chunk.currentChunkSize() > config.maxChunkSize().toBytes()) {
            throw new UploadException(Problem.TOO_LARGE, "a chunk of " + chunk.currentChunkSize()
                    + " bytes is larger than the limit of " + config.maxChunkSize().toBytes() + " bytes");
        }
        Optional<UploadSession> active = activeUpload(caller, chunk);
        active.ifPresent(chunk::requireSameUpload);
        Recorded recorded;
        if (active.isPresent()) {
            String id = active.get().id();
            Supplier<Received> compared = () -> read(chunk, body, (limit, checks) ->
                    rules.digestOnly(chunk.offset(), body, limit, checks));
            recorded = sessions.chunk(id, chunk.number()).isPresent()
                    ? resent(caller, id, chunk, compared.get())
                    : claimed(caller, id, chunk, compared, claim -> read(chunk, body, (limit, checks) ->
                            rules.write(id, chunk.offset(), body, limit, checks, claim)));
        } else {
            rules.requireRoomForSession(caller);    // before a byte of the body is read
            recorded = first(caller, protocol, group, chunk, body);
        }
        String id = recorded.session().id();
        if (recorded.completing()) {
            answering.put(answerKey(caller, chunk), new Completing(id, chunk.number()));
        }
        UploadSession session = recorded.session().state() == SessionState.ASSEMBLING
                ? completion.finishAssembly(recorded.session(), caller.actor()) : recorded.session();
        return new SessionSnapshot(session, Optional.of(recorded.chunk()));
    }

    /**
     * The caller's upload under the chunk's identifier. One past its expiry that the sweep has not
     * reached yet is expired now, as the sweep would, so that the chunk starts a new upload (its
     * client was just told, by the test GET, that the old one holds nothing).
     */
    private Optional<UploadSession> activeUpload(Caller caller, NumberedChunk chunk) {
        Optional<UploadSession> active = sessions.activeByKey(caller.name(), chunk.clientKey());
        if (active.isPresent() && rules.expired(active.get())
                && expiry.expireIfIdle(active.get(), Actor.SYSTEM, clock.instant())) {
            return sessions.activeByKey(caller.name(), chunk.clientKey());
        }
        return active;
    }

    /**
     * The request about {@code chunk} has been answered; if it completed the upload, the database
     * says so once the answer was {@code delivered} (written out to the client).
     */
    public void answered(Caller caller, NumberedChunk chunk, boolean delivered) {
        String key = answerKey(caller, chunk);
        Completing completing = answering.get(key);
        if (completing == null || completing.chunkNumber() != chunk.number()) {
            return;    // not the request that completed the upload: the answer of that one decides
        }
        if (!delivered) {
            answering.remove(key, completing);
            return;
        }
        String completed = completing.sessionId();
        // put before the removal, so that no question finds neither
        answeredNotYetMarked.put(key, completed);
        answering.remove(key, completing);
        try {
            ledger.completionAnswered(completed);
        } finally {
            answeredNotYetMarked.remove(key, completed);
        }
    }

    /** The upload a request completed, and the chunk that request was about. */
    private record Completing(String sessionId, int chunkNumber) {}

    private static String answerKey(Caller caller, NumberedChunk chunk) {
        return caller.name() + '\n' + chunk.clientKey();
    }

    /** The session after a chunk was recorded, and whether this request completes it. */
    private record Recorded(UploadSession session, Chunk chunk, boolean completing) {}

    /**
     * A chunk of an identifier with no active upload: written into the file of a fresh session id
     * (nobody else knows it, so no claim is needed), which becomes the upload's if this request
     * creates it. The first chunks of a new upload race, and the database's unique constraint on
     * the active key lets one create it; the others join it, their chunk copied into its range of
     * the winner's file under a claim. A refused chunk leaves no session behind.
     */
    private Recorded first(Caller caller, Protocol protocol, String group, NumberedChunk chunk, InputStream body) {
        String freshId = Ids.next();
        boolean adopted = false;
        try {
            Received received = read(chunk, body, (limit, checks) ->
                    rules.write(freshId, chunk.offset(), body, limit, checks, ChunkStore.Progress.NONE));
            for (int attempt = 1; ; attempt++) {
                try {
                    Recorded created = create(caller, protocol, group, freshId, chunk, received);
                    adopted = true;
                    return created;
                } catch (DuplicateKey e) {
                    if (attempt == CREATE_ATTEMPTS) {
                        throw e;
                    }
                }
                Optional<UploadSession> winner = sessions.activeByKey(caller.name(), chunk.clientKey());
                if (winner.isPresent()) {
                    chunk.requireSameUpload(winner.get());
                    String id = winner.get().id();
                    return sessions.chunk(id, chunk.number()).isPresent()
                            ? resent(caller, id, chunk, received)
                            : claimed(caller, id, chunk, () -> received, claim -> store.copy(freshId, id, received));
                }
            }
        } finally {
            if (!adopted) {
                store.deleteSession(freshId);
            }
        }
    }

    /**
     * Writes a chunk that no row records yet into its claimed range of the session's file, then
     * records it. Should another request have recorded it between the look and the claim, its
     * bytes stay as they are and this chunk, {@code sentAgain}, is compared with them.
     */
    private Recorded claimed(Caller caller, String id, NumberedChunk chunk, Supplier<Received> sentAgain,
                             Function<WriterClaims.Claim, Received> write) {
        WriterClaims.Claim claim = claims.claim(id, chunk.offset(), chunk.offset() + chunk.currentChunkSize());
        return claim.whileWriting(() -> {
            rules.requireOpen(claim.session());
            if (sessions.chunk(id, chunk.number()).isPresent()) {
                claim.release();
                return resent(caller, id, chunk, sentAgain.get());
            }
            Received received = write.apply(claim);
            return ledger.change(id, caller.actor(), change -> {
                change.releaseClaim(claim.id());
                rules.requireOpenToItsWriter(change.session());
                return append(change, chunk, received);
            });
        });
    }

    /** A chunk the session records already: the same bytes are a harmless retry, others a conflict. */
    private Recorded resent(Caller caller, String id, NumberedChunk chunk, Received received) {
        return ledger.change(id, caller.actor(), change -> {
            Chunk existing = change.chunk(chunk.number()).orElseThrow();
            UploadSession locked = change.session();
            if (!existing.md5().equals(received.md5()) || existing.sizeBytes() != received.size()) {
                throw new UploadException(Problem.CHUNK_ORDER_INCORRECT, "chunk " + existing.chunkNumber()
                        + " of session " + locked.id() + " was already received with different bytes");
            }
            LOG.debug("Session {}: chunk {} resent with the same bytes", locked.id(), existing.chunkNumber());
            if (locked.state() != SessionState.OPEN) {
                return new Recorded(locked, existing, false);
            }
            // a retry after an assembly that could not finish (disk full) gets it going again
            return assembleIfComplete(change, existing, null);
        });
    }

    private interface Reader {
        Received read(long limit, ChunkChecks checks);
    }

    /** The chunk's body, exactly its declared size. */
    private static Received read(NumberedChunk chunk, InputStream body, Reader reader) {
        ChunkChecks checks = ChunkChecks.whole(null, null, chunk.currentChunkSize(), chunk.currentChunkSize() == 0);
        try {
            return reader.read(chunk.currentChunkSize(), checks);
        } catch (UploadException e) {
            if (e.problem() == Problem.TOO_LARGE) {
                throw new UploadException(Problem.INVALID_REQUEST,
                        "the body is longer than the declared " + chunk.currentChunkSize() + " bytes", e);
            }
            throw e;
        }
    }

    private Recorded create(Caller caller, Protocol protocol, String group, String id, NumberedChunk chunk,
                            Received received) {
        Instant now = clock.instant();
        UploadSession session = new UploadSession(id, caller.name(), group, chunk.filename(), protocol,
                SessionState.OPEN, chunk.totalSize(), chunk.totalChunks(), 0, 0, now, now, rules.expiry(now),
                null, null, null, chunk.clientKey(), chunk.chunkSize(), null, null);
        Recorded recorded = ledger.open(session, config.maxOpenSessionsPerPrincipal(), caller.actor(),
                change -> append(change, chunk, received));
        LOG.info("Session {} created by {} via {}: {} in group {} ({} bytes in {} chunks)", id, caller.name(),
                protocol.wireName(), chunk.filename(), group, chunk.totalSize(), chunk.totalChunks());
        return recorded;
    }

    /** Called under the session's row lock. */
    private Recorded append(Change change, NumberedChunk chunk, Received received) {
        UploadSession session = change.session();
        String id = session.id();
        Instant now = clock.instant();
        Chunk recorded = new Chunk(id, chunk.number(), chunk.offset(), received.size(), received.md5(), now);
        boolean last = session.receivedBytes() + received.size() == chunk.totalSize()
                && change.chunkCount() + 1 == chunk.totalChunks();
        if (last) {
            // refuse the last chunk rather than fail assembly; the client sends it again later
            completion.requireNameFree(session.groupName(), session.filename(), id);
        }
        change.addChunk(recorded, Math.max(session.maxChunk(), chunk.number()), session.groupName(),
                rules.expiry(now));
        change.afterCommit(() -> rules.advanced(id, received));
        LOG.debug("Session {}: chunk {} recorded ({} bytes at {})", id, chunk.number(), received.size(), chunk.offset());
        return assembleIfComplete(change, recorded, received);
    }

    /** @param last the bytes this transaction records, if any */
    private Recorded assembleIfComplete(Change change, Chunk chunk, @Nullable Received last) {
        UploadSession session = change.session();
        boolean complete = session.allBytesReceived() && session.totalChunks() != null
                && change.chunkCount() == session.totalChunks();
        if (!complete) {
            return new Recorded(session, chunk, false);
        }
        change.moveTo(Stage.ASSEMBLING, null);
        completion.placeWithin(change, change.chunks(), last);
        return new Recorded(change.session(), chunk, true);
    }

    private static boolean sameUpload(NumberedChunk chunk, UploadSession session) {
        try {
            chunk.requireSameUpload(session);
            return true;
        } catch (UploadException e) {
            return false;
        }
    }
}

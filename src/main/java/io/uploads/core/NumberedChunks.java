package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.core.ChunkStore.StagedChunk;
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
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads whose chunks arrive in any order and in parallel (flow.js, resumable.js). The session is
 * the caller's active one under the client's identifier; the first chunks of a new identifier may
 * race, and the database's unique constraint on the active key decides which one creates it.
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
    private final UploadRules rules;
    private final Completion completion;
    private final Clock clock;
    private final UploadsConfig config;
    /** Sessions whose completing request is still being answered on this instance, by owner and key. */
    private final Map<String, String> answering = new ConcurrentHashMap<>();

    public NumberedChunks(Ledger ledger, SessionQueries sessions, ChunkStore store, UploadRules rules, Completion completion,
                           UploadsConfig config) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.rules = rules;
        this.completion = completion;
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
     */
    public boolean hasChunk(Caller caller, NumberedChunk chunk, Instant askedAt) {
        caller.groupFor(chunk.group());    // the same 403 the chunk itself would get
        Optional<UploadSession> active = sessions.activeByKey(caller.name(), chunk.clientKey());
        String completing = answering.get(answerKey(caller, chunk));
        Optional<UploadSession> session = active.isPresent() ? active
                : completing != null ? sessions.find(completing)
                : sessions.completedByKeySince(caller.name(), chunk.clientKey(), askedAt);
        return session
                .filter(s -> sameUpload(chunk, s))
                .filter(s -> !(s.stage() == Stage.COMPLETION_DUE && chunk.number() == chunk.totalChunks()))
                .flatMap(s -> sessions.chunk(s.id(), chunk.number()))
                .isPresent();
    }

    /**
     * Records one chunk, creating the session with the identifier's first chunk. The same chunk
     * sent again with the same bytes is acknowledged and changes nothing.
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
        Optional<UploadSession> active = sessions.activeByKey(caller.name(), chunk.clientKey());
        active.ifPresent(chunk::requireSameUpload);
        if (active.isEmpty()) {
            rules.requireRoomForSession(caller);    // before a byte of the body is read
        }
        // a new identifier's chunk is staged under a fresh id, which becomes the session's if it wins
        String stagingId = active.map(UploadSession::id).orElseGet(() -> UUID.randomUUID().toString());
        String sessionId = active.map(UploadSession::id).orElse(null);
        StagedChunk staged = null;
        try {
            staged = stage(stagingId, chunk, body);
            Recorded recorded = active.isPresent()
                    ? recordInto(caller, active.get().id(), chunk, staged)
                    : createOrJoin(caller, protocol, group, stagingId, chunk, staged);
            sessionId = recorded.session().id();
            if (recorded.assemble()) {
                answering.put(answerKey(caller, chunk), sessionId);
                return new SessionSnapshot(completion.finishAssembly(recorded.session(), caller.actor()),
                        Optional.of(recorded.chunk()));
            }
            return new SessionSnapshot(recorded.session(), Optional.of(recorded.chunk()));
        } finally {
            if (!stagingId.equals(sessionId)) {
                store.deleteSession(stagingId);    // refused, or lost the race: no session owns this directory
            } else if (staged != null) {
                rules.discard(staged, stagingId);
            }
        }
    }

    /** The request that completed the upload under {@code chunk}'s key has been answered. */
    public void answered(Caller caller, NumberedChunk chunk) {
        answering.remove(answerKey(caller, chunk));
    }

    private static String answerKey(Caller caller, NumberedChunk chunk) {
        return caller.name() + '\n' + chunk.clientKey();
    }

    /** The session after a chunk was recorded, and whether this request must now assemble it. */
    private record Recorded(UploadSession session, Chunk chunk, boolean assemble) {}

    private StagedChunk stage(String stagingId, NumberedChunk chunk, InputStream body) {
        ChunkChecks checks = ChunkChecks.whole(null, null, chunk.currentChunkSize(), chunk.currentChunkSize() == 0);
        try {
            return rules.stage(stagingId, body, chunk.currentChunkSize(), checks);
        } catch (UploadException e) {
            if (e.problem() == Problem.TOO_LARGE) {
                throw new UploadException(Problem.INVALID_REQUEST,
                        "the body is longer than the declared " + chunk.currentChunkSize() + " bytes", e);
            }
            throw e;
        }
    }

    private Recorded createOrJoin(Caller caller, Protocol protocol, String group, String newId, NumberedChunk chunk,
                                  StagedChunk staged) {
        for (int attempt = 1; ; attempt++) {
            try {
                return create(caller, protocol, group, newId, chunk, staged);
            } catch (DuplicateKey e) {
                if (attempt == CREATE_ATTEMPTS) {
                    throw e;
                }
            }
            Optional<UploadSession> winner = sessions.activeByKey(caller.name(), chunk.clientKey());
            if (winner.isPresent()) {
                chunk.requireSameUpload(winner.get());
                return recordInto(caller, winner.get().id(), chunk, staged);
            }
        }
    }

    private Recorded create(Caller caller, Protocol protocol, String group, String id, NumberedChunk chunk,
                            StagedChunk staged) {
        Instant now = clock.instant();
        UploadSession session = new UploadSession(id, caller.name(), group, chunk.filename(), protocol,
                SessionState.OPEN, chunk.totalSize(), chunk.totalChunks(), 0, 0, now, now, rules.expiry(now),
                null, null, null, chunk.clientKey(), chunk.chunkSize(), null, null);
        Recorded recorded = ledger.open(session, config.maxOpenSessionsPerPrincipal(), caller.actor(),
                change -> append(change, chunk, staged));
        LOG.info("Session {} created by {} via {}: {} in group {} ({} bytes in {} chunks)", id, caller.name(),
                protocol.wireName(), chunk.filename(), group, chunk.totalSize(), chunk.totalChunks());
        return recorded;
    }

    private Recorded recordInto(Caller caller, String id, NumberedChunk chunk, StagedChunk staged) {
        return ledger.change(id, caller.actor(), change -> {
            Optional<Chunk> existing = change.chunk(chunk.number());
            if (existing.isPresent()) {
                return resent(change, existing.get(), staged);
            }
            rules.requireOpen(change.session());
            return append(change, chunk, staged);
        });
    }

    /** Called under the session's row lock (or in the transaction that creates it). */
    private Recorded append(Change change, NumberedChunk chunk, StagedChunk staged) {
        UploadSession session = change.session();
        String id = session.id();
        Instant now = clock.instant();
        Chunk recorded = new Chunk(id, chunk.number(), chunk.offset(), staged.size(), staged.md5(), now);
        boolean last = session.receivedBytes() + staged.size() == chunk.totalSize()
                && change.chunkCount() + 1 == chunk.totalChunks();
        if (last) {
            // refuse the last chunk rather than fail assembly; the client sends it again later
            if (chunk.totalChunks() > 1) {
                store.requireFreeSpace(chunk.totalSize());
            }
            completion.requireNameFree(session.groupName(), session.filename());
        }
        store.commit(staged, id, chunk.number());
        try {
            change.addChunk(recorded, Math.max(session.maxChunk(), chunk.number()), session.groupName(),
                    rules.expiry(now));
        } catch (RuntimeException e) {
            store.deleteChunk(id, chunk.number());     // under the lock (or unseen): no one else wrote it
            throw e;
        }
        LOG.debug("Session {}: chunk {} recorded ({} bytes at {})", id, chunk.number(), staged.size(), chunk.offset());
        return assembleIfComplete(change, recorded);
    }

    /** A chunk the session already holds: the same bytes are a harmless retry, others a conflict. */
    private Recorded resent(Change change, Chunk existing, StagedChunk staged) {
        UploadSession locked = change.session();
        if (!existing.md5().equals(staged.md5()) || existing.sizeBytes() != staged.size()) {
            throw new UploadException(Problem.CHUNK_ORDER_INCORRECT, "chunk " + existing.chunkNumber()
                    + " of session " + locked.id() + " was already received with different bytes");
        }
        LOG.debug("Session {}: chunk {} resent with the same bytes", locked.id(), existing.chunkNumber());
        if (locked.state() != SessionState.OPEN) {
            return new Recorded(locked, existing, false);
        }
        // a retry after an assembly that could not finish (disk full) gets it going again
        return assembleIfComplete(change, existing);
    }

    private Recorded assembleIfComplete(Change change, Chunk chunk) {
        UploadSession session = change.session();
        boolean complete = session.allBytesReceived() && session.totalChunks() != null
                && change.chunkCount() == session.totalChunks();
        if (!complete) {
            return new Recorded(session, chunk, false);
        }
        change.moveTo(Stage.ASSEMBLING, null);
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

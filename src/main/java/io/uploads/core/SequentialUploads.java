package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.core.ChunkStore.StagedChunk;
import io.uploads.core.UploadException.Problem;
import io.uploads.ledger.Ledger;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads whose chunks come one after the other, each the next in sequence (the native API): the
 * first chunk opens the session, each later one must be the next number, or the last one again
 * with the same bytes (a retry after a lost answer).
 *
 * <p>Order of a chunk write: stream the body to a temporary file (md5 on the way, no lock held)
 * → fsync → lock the session row → check it still accepts this chunk → rename the file into place
 * → insert the chunk row and advance the session → commit. A chunk row therefore never exists
 * without its bytes, and a row lock is never held while reading a socket.
 */
public final class SequentialUploads {

    private static final Logger LOG = LoggerFactory.getLogger(SequentialUploads.class);

    private final Ledger ledger;
    private final ChunkStore store;
    private final Clock clock;
    private final UploadsConfig config;
    private final UploadRules rules;

    public SequentialUploads(Ledger ledger, ChunkStore store, UploadsConfig config, UploadRules rules) {
        this.ledger = ledger;
        this.store = store;
        this.clock = ledger.clock();
        this.config = config;
        this.rules = rules;
    }

    /** Creates a session whose first chunk is {@code body}; nothing is kept if the chunk is refused. */
    public SessionSnapshot start(Caller caller, Protocol protocol, String filename, @Nullable String group,
                                           InputStream body, ChunkChecks checks, long maxBytes) {
        Filenames.requireValid(filename);
        String groupName = caller.groupFor(group);
        rules.requireRoomForSession(caller);
        if (checks.offset() != null && checks.offset() != 0) {
            throw new UploadException(Problem.OFFSET_MISMATCH, "a new upload starts at offset 0, not " + checks.offset());
        }
        long limit = Math.min(maxBytes, config.maxUploadSize().toBytes());
        rules.requireDeclaredWithin(checks, limit);
        String id = UUID.randomUUID().toString();
        StagedChunk staged;
        try {
            staged = rules.stage(id, body, limit, checks);
        } catch (RuntimeException e) {
            store.deleteSession(id);    // the directory staging made for a session that never was
            throw e;
        }
        Instant now = clock.instant();
        UploadSession fresh = new UploadSession(id, caller.name(), groupName, filename, protocol, SessionState.OPEN,
                null, null, 0, 0, now, now, rules.expiry(now), null, null, null, null, null, null, null);
        Chunk first = new Chunk(id, 1, 0, staged.size(), staged.md5(), now);
        UploadSession session;
        try {
            session = ledger.open(fresh, config.maxOpenSessionsPerPrincipal(), caller.actor(), change -> {
                store.commit(staged, id, 1);
                change.addChunk(first, 1, groupName, rules.expiry(now));
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
    public SessionSnapshot append(Caller caller, String id, @Nullable String filename, int number,
                                            @Nullable String group, InputStream body, ChunkChecks checks) {
        UploadSession session = rules.owned(caller, id, filename);
        rules.requireProtocol(session, Protocol.RESUMABLES);
        rules.requireOpen(session);
        String groupName = group == null ? session.groupName() : caller.groupFor(group);
        requireInOrder(session, number);
        boolean resend = number == session.maxChunk();
        if (checks.offset() != null) {
            long expectedOffset = resend ? rules.lastChunkOf(session).map(Chunk::chunkOffset).orElse(0L) : session.receivedBytes();
            rules.requireOffset(checks.offset(), expectedOffset);
        }
        long limit = resend
                ? config.maxChunkSize().toBytes()
                : Math.min(config.maxChunkSize().toBytes(), config.maxUploadSize().toBytes() - session.receivedBytes());
        rules.requireDeclaredWithin(checks, limit);
        StagedChunk staged = rules.stage(id, body, limit, checks);
        try {
            return ledger.change(id, caller.actor(), change -> {
                UploadSession locked = change.session();
                rules.requireOpen(locked);
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
                    rules.requireOffset(checks.offset(), locked.receivedBytes());
                }
                if (locked.receivedBytes() + staged.size() > config.maxUploadSize().toBytes()) {
                    throw new UploadException(Problem.TOO_LARGE,
                            "upload would exceed the limit of " + config.maxUploadSize().toBytes() + " bytes");
                }
                Instant now = clock.instant();
                Chunk chunk = new Chunk(id, number, locked.receivedBytes(), staged.size(), staged.md5(), now);
                store.commit(staged, id, number);
                try {
                    change.addChunk(chunk, number, groupName, rules.expiry(now));
                } catch (RuntimeException e) {
                    store.deleteChunk(id, number);     // still under the lock: no one else wrote it
                    throw e;
                }
                LOG.debug("Session {}: chunk {} recorded ({} bytes at {})", id, number, chunk.sizeBytes(), chunk.chunkOffset());
                return new SessionSnapshot(change.session(), Optional.of(chunk));
            });
        } finally {
            rules.discard(staged, id);
        }
    }

    private static void requireInOrder(UploadSession session, int number) {
        int expected = session.maxChunk() + 1;
        if (number != expected && number != session.maxChunk()) {
            throw new UploadException(Problem.CHUNK_ORDER_INCORRECT,
                    "chunk_order_incorrect: expected chunk " + expected + ", got chunk " + number);
        }
    }
}

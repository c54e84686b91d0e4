package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.core.ChunkStore.Received;
import io.uploads.core.UploadException.Problem;
import io.uploads.ledger.Ledger;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads whose chunks come one after the other, each the next in sequence (the native API): the
 * first chunk opens the session, each later one must be the next number, or the last one again
 * with the same bytes (a retry after a lost answer).
 *
 * <p>Order of a chunk write: claim the session's file from the next offset on (a second writer is
 * refused before its body is read) → stream the body into the file at that offset (md5 on the
 * way, no row lock held) → fsync → lock the session row → check it still accepts this chunk →
 * insert the chunk row, advance the session and give up the claim → commit. A chunk row therefore
 * never exists without its bytes, and a row lock is never held while reading a socket.
 */
public final class SequentialUploads {

    private static final Logger LOG = LoggerFactory.getLogger(SequentialUploads.class);

    private final Ledger ledger;
    private final ChunkStore store;
    private final WriterClaims claims;
    private final Clock clock;
    private final UploadsConfig config;
    private final UploadRules rules;

    public SequentialUploads(Ledger ledger, ChunkStore store, WriterClaims claims, UploadsConfig config,
                             UploadRules rules) {
        this.ledger = ledger;
        this.store = store;
        this.claims = claims;
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
        // nobody else knows this id yet: no claim is needed to write its file
        String id = Ids.next();
        try {
            Received received = rules.write(id, 0, body, limit, checks, ChunkStore.Progress.NONE);
            Instant now = clock.instant();
            UploadSession fresh = new UploadSession(id, caller.name(), groupName, filename, protocol,
                    SessionState.OPEN, null, null, 0, 0, now, now, rules.expiry(now), null, null, null, null, null,
                    null, null);
            Chunk first = new Chunk(id, 1, 0, received.size(), received.md5(), now);
            UploadSession session = ledger.open(fresh, config.maxOpenSessionsPerPrincipal(), caller.actor(), change -> {
                change.addChunk(first, 1, groupName, rules.expiry(now));
                change.afterCommit(() -> rules.advanced(id, received));
                return change.session();
            });
            LOG.info("Session {} created by {} via {}: {} in group {}", id, caller.name(), protocol.wireName(),
                    filename, groupName);
            return new SessionSnapshot(session, Optional.of(first));
        } catch (RuntimeException e) {
            store.deleteSession(id);
            throw e;
        }
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
        if (number == session.maxChunk()) {
            return resent(session, number, body, checks);
        }
        if (checks.offset() != null) {
            rules.requireOffset(checks.offset(), session.receivedBytes());
        }
        long limit = Math.min(config.maxChunkSize().toBytes(),
                config.maxUploadSize().toBytes() - session.receivedBytes());
        rules.requireDeclaredWithin(checks, limit);
        WriterClaims.Claim claim = claims.claim(id, session.receivedBytes(), WriterClaims.TO_THE_END);
        long offset = claim.session().receivedBytes();
        return claim.whileWriting(() -> {
            // completed meanwhile, its file may already be the final file
            rules.requireOpen(claim.session());
            requireNext(claim.session(), number);
            Received received = rules.write(id, offset, body, limit, checks, claim);
            return ledger.change(id, caller.actor(), change -> {
                change.releaseClaim(claim.id());
                UploadSession locked = change.session();
                rules.requireOpenToItsWriter(locked);
                requireNext(locked, number);
                if (offset + received.size() > config.maxUploadSize().toBytes()) {
                    throw new UploadException(Problem.TOO_LARGE,
                            "upload would exceed the limit of " + config.maxUploadSize().toBytes() + " bytes");
                }
                Instant now = clock.instant();
                Chunk chunk = new Chunk(id, number, offset, received.size(), received.md5(), now);
                change.addChunk(chunk, number, groupName, rules.expiry(now));
                change.afterCommit(() -> rules.advanced(id, received));
                LOG.debug("Session {}: chunk {} recorded ({} bytes at {})", id, number, chunk.sizeBytes(), offset);
                return new SessionSnapshot(change.session(), Optional.of(chunk));
            });
        });
    }

    /** The last chunk sent again: the same bytes are acknowledged, others refused; nothing is written. */
    private SessionSnapshot resent(UploadSession session, int number, InputStream body, ChunkChecks checks) {
        Chunk existing = rules.lastChunkOf(session).orElseThrow();
        if (checks.offset() != null) {
            rules.requireOffset(checks.offset(), existing.chunkOffset());
        }
        rules.requireDeclaredWithin(checks, config.maxChunkSize().toBytes());
        Received received = rules.digestOnly(existing.chunkOffset(), body, config.maxChunkSize().toBytes(), checks);
        if (!existing.md5().equals(received.md5()) || existing.sizeBytes() != received.size()) {
            throw new UploadException(Problem.CHUNK_ORDER_INCORRECT, "chunk_order_incorrect: chunk " + number
                    + " was already received with different bytes; expected chunk " + (number + 1));
        }
        LOG.debug("Session {}: chunk {} resent with the same bytes", session.id(), number);
        return new SessionSnapshot(session, Optional.of(existing));
    }

    private static void requireInOrder(UploadSession session, int number) {
        int expected = session.maxChunk() + 1;
        if (number != expected && number != session.maxChunk()) {
            throw new UploadException(Problem.CHUNK_ORDER_INCORRECT,
                    "chunk_order_incorrect: expected chunk " + expected + ", got chunk " + number);
        }
    }

    /** Under the claim: another request may have recorded this chunk since it was checked. */
    private static void requireNext(UploadSession session, int number) {
        if (number != session.maxChunk() + 1) {
            throw new UploadException(Problem.CHUNK_ORDER_INCORRECT,
                    "chunk_order_incorrect: expected chunk " + (session.maxChunk() + 1) + ", got chunk " + number);
        }
    }
}

package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.core.ChunkStore.Received;
import io.uploads.core.UploadException.Problem;
import io.uploads.ledger.Ledger;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads written as bytes at an offset (tus, and the IETF resumable-upload draft's shape): the
 * session is created with its length (or the length is declared later), each request appends at
 * the offset where the bytes end, and the session is completed once they reach its length.
 */
public final class OffsetUploads {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetUploads.class);

    private final Ledger ledger;
    private final ChunkStore store;
    private final WriterClaims claims;
    private final Clock clock;
    private final UploadsConfig config;
    private final UploadRules rules;
    private final Completion completion;

    public OffsetUploads(Ledger ledger, ChunkStore store, WriterClaims claims, UploadsConfig config,
                         UploadRules rules, Completion completion) {
        this.ledger = ledger;
        this.store = store;
        this.claims = claims;
        this.clock = ledger.clock();
        this.config = config;
        this.rules = rules;
        this.completion = completion;
    }

    /**
     * A session with no bytes yet, written at offsets later (tus creation). A declared length of
     * zero completes at once; a null length is declared later (creation-defer-length).
     *
     * @param filename the final file's name; without one, the file is named after the session id
     */
    public UploadSession create(Caller caller, Protocol protocol, @Nullable String filename, @Nullable String group,
                                  @Nullable Long totalSize, @Nullable String clientMetadata) {
        UploadSession session = newSession(caller, protocol, filename, group, totalSize, clientMetadata);
        ledger.open(session, config.maxOpenSessionsPerPrincipal(), caller.actor(), change -> {
            if (session.allBytesReceived()) {
                change.moveTo(Stage.COMPLETION_DUE, "declared empty");
            }
            return null;
        });
        LOG.info("Session {} created by {} via {}: {} in group {} ({} bytes)", session.id(), caller.name(),
                protocol.wireName(), session.filename(), session.groupName(), totalSize == null ? "deferred" : totalSize);
        return session.allBytesReceived()
                ? completion.complete(session, session.groupName(), caller.actor()).session() : session;
    }

    /** A new open session of the caller's, its name, group and length checked; nothing is stored yet. */
    private UploadSession newSession(Caller caller, Protocol protocol, @Nullable String filename, @Nullable String group,
                                     @Nullable Long totalSize, @Nullable String clientMetadata) {
        if (filename != null) {
            Filenames.requireValid(filename);
        }
        String groupName = caller.groupFor(group);
        if (totalSize != null) {
            rules.requireTotalWithin(totalSize);
        }
        String id = Ids.next();
        if (filename != null) {
            completion.requireNameFree(groupName, filename, id);
        }
        Instant now = clock.instant();
        return new UploadSession(id, caller.name(), groupName, filename == null ? id : filename, protocol,
                SessionState.OPEN, totalSize, null, 0, 0, now, now, rules.expiry(now), null, null, null, null, null,
                clientMetadata, null);
    }

    /** A session created with its first bytes; {@code refused} says why they were not kept, if they were not. */
    public record Created(UploadSession session, @Nullable UploadException refused) {}

    /**
     * A session created with its first bytes (tus creation-with-upload), recorded in the
     * transaction that creates it: nobody knows the id before that commits, so no writer claim is
     * needed while the body is written, and the session, its bytes and, when they are all of it,
     * its completion cost one transaction instead of three. Bytes that are refused leave the
     * session created without them, as the protocol asks ({@link Created#refused}); when the
     * session itself is refused (its owner's limit), nothing is kept. Nor is anything kept of a
     * body that broke off: the answer that would tell its client the upload's address cannot
     * reach it over the broken connection, so the session would only sit there, counted against
     * its owner's open uploads, until it expired; the client creates its upload again.
     */
    public Created createWithBody(Caller caller, Protocol protocol, @Nullable String filename, @Nullable String group,
                                  @Nullable Long totalSize, @Nullable String clientMetadata, InputStream body,
                                  ChunkChecks checks) {
        UploadSession fresh = newSession(caller, protocol, filename, group, totalSize, clientMetadata);
        rules.requireRoomForSession(caller);
        String id = fresh.id();
        String groupName = fresh.groupName();
        Received received;
        try {
            long limit = totalSize != null ? totalSize : config.maxUploadSize().toBytes();
            rules.requireDeclaredWithin(checks, limit);
            received = rules.write(id, 0, body, limit, checks, ChunkStore.Progress.NONE);
        } catch (UploadException refused) {
            store.deleteSession(id);
            if (refused.problem() == Problem.INCOMPLETE_BODY) {
                throw brokeOff(caller, refused);
            }
            return new Created(create(caller, protocol, filename, group, totalSize, clientMetadata), refused);
        }
        if (received.interrupted()) {
            store.deleteSession(id);
            throw brokeOff(caller, new UploadException(Problem.INCOMPLETE_BODY, "the request body broke off after "
                    + received.size() + " bytes"));
        }
        Instant now = clock.instant();
        UploadSession opened;
        try {
            opened = ledger.open(fresh, config.maxOpenSessionsPerPrincipal(), caller.actor(), change -> {
                if (received.size() > 0) {
                    change.addChunk(new Chunk(id, 1, 0, received.size(), received.md5(), now), 1, groupName,
                            rules.expiry(now));
                    change.afterCommit(() -> rules.advanced(id, received));
                }
                if (totalSize != null && received.size() == totalSize) {
                    change.moveTo(Stage.COMPLETION_DUE, null);
                    try {
                        completion.completeWithin(change, groupName, received, null);
                    } catch (UploadException e) {
                        // the bytes stand, due for completion: asked again below, it answers why not
                    }
                }
                return change.session();
            });
        } catch (RuntimeException e) {
            store.deleteSession(id);
            throw e;
        }
        LOG.info("Session {} created by {} via {}: {} in group {} ({} bytes) with its first {} bytes", id,
                caller.name(), protocol.wireName(), fresh.filename(), groupName,
                totalSize == null ? "deferred" : totalSize, received.size());
        if (received.interrupted()) {
            LOG.info("Session {}: request body interrupted; the {} bytes that arrived are kept", id, received.size());
        }
        return new Created(finished(opened, caller), null);
    }

    /**
     * Appends a body at {@code offset}, which must be where the session's bytes end (tus PATCH).
     * Of a body that ends early, the bytes that arrived are kept, unless a checksum was asked for
     * (it could not be verified). The session completes once its bytes reach the declared length.
     *
     * @param declaredTotal the length, when this request declares it (creation-defer-length)
     */
    public UploadSession append(Caller caller, String id, long offset, @Nullable Long declaredTotal,
                                InputStream body, ChunkChecks checks) {
        return append(caller, rules.owned(caller, id, null), offset, declaredTotal, body, checks);
    }

    /** {@link #append} to {@code session}, which the caller read just now as the caller's own. */
    public UploadSession append(Caller caller, UploadSession session, long offset, @Nullable Long declaredTotal,
                                InputStream body, ChunkChecks checks) {
        String id = session.id();
        rules.requireProtocol(session, Protocol.TUS);
        if ((session.state() == SessionState.COMPLETED || session.stage() == Stage.COMPLETION_DUE)
                && offset == session.receivedBytes() && isEmpty(body)) {
            // a client that cannot tell it is done sends no bytes at the final offset; nothing to
            // do but finish, if that has not happened yet
            return session.state() == SessionState.COMPLETED ? session
                    : completion.complete(session, session.groupName(), caller.actor()).session();
        }
        rules.requireOpen(session);
        rules.requireOffset(offset, session.receivedBytes());
        Long total = totalAfter(session, declaredTotal);
        long limit = (total != null ? total : config.maxUploadSize().toBytes()) - session.receivedBytes();
        rules.requireDeclaredWithin(checks, limit);
        WriterClaims.Claim claim = claims.claim(id, session.receivedBytes(), WriterClaims.TO_THE_END);
        UploadSession appended = claim.whileWriting(() -> {
            // another request appended meanwhile, or completed the upload: its file is then the final file
            rules.requireOpen(claim.session());
            rules.requireOffset(offset, claim.session().receivedBytes());
            Received received = rules.write(id, offset, body, limit, checks, claim);
            Assembler.Placed ahead = total != null && received.end() == total
                    ? completion.placeAhead(claim.session(), received) : null;
            if (ahead != null) {
                claim.undoOnRelease(() -> completion.withdraw(ahead));
            }
            UploadSession recorded = ledger.change(id, caller.actor(), change -> {
                change.releaseClaim(claim.id());
                UploadSession locked = change.session();
                rules.requireOpenToItsWriter(locked);
                rules.requireOffset(offset, locked.receivedBytes());
                requireSameLength(locked, total, received.size());  // another request declared it meanwhile
                if (declaredTotal != null && locked.totalSize() == null) {
                    rules.requireAtLeastReceived(declaredTotal, locked.receivedBytes() + received.size());
                    change.declareTotalSize(declaredTotal);
                }
                if (received.size() > 0) {
                    Instant now = clock.instant();
                    Chunk chunk = new Chunk(id, locked.maxChunk() + 1, offset, received.size(), received.md5(), now);
                    change.addChunk(chunk, chunk.chunkNumber(), locked.groupName(), rules.expiry(now));
                    change.afterCommit(() -> rules.advanced(id, received));
                }
                if (total != null && offset + received.size() == total) {
                    change.moveTo(Stage.COMPLETION_DUE, null);
                    try {
                        completion.completeWithin(change, locked.groupName(), received, ahead);
                    } catch (UploadException e) {
                        // the bytes stand, due for completion: asked again below, it answers why not
                    }
                }
                return change.session();
            });
            if (received.interrupted()) {
                LOG.info("Session {}: request body interrupted; the {} bytes that arrived are kept, offset now {}",
                        id, received.size(), recorded.receivedBytes());
            }
            return recorded;
        });
        return finished(appended, caller);
    }

    private static UploadException brokeOff(Caller caller, UploadException why) {
        LOG.info("Creation of an upload by {} broke off, nothing kept (its client cannot know it): {}", caller.name(),
                why.getMessage());
        return why;
    }

    /** After the transaction that recorded a session's last bytes: the completion it left to do, if any. */
    private UploadSession finished(UploadSession recorded, Caller caller) {
        if (recorded.state() == SessionState.ASSEMBLING) {
            return completion.finishAssembly(recorded, caller.actor());
        }
        // due for completion, it could not complete with its last bytes: asked again, it answers why
        return recorded.stage() == Stage.COMPLETION_DUE
                ? completion.complete(recorded, recorded.groupName(), caller.actor()).session() : recorded;
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
        rules.requireTotalWithin(declared);
        rules.requireAtLeastReceived(declared, session.receivedBytes());
        return declared;
    }
}

package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.core.ChunkStore.Received;
import io.uploads.core.UploadException.Problem;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The checks and steps every use case of uploads shares: whose a session is, whether it still
 * takes bytes, the limits, writing a body durably before any row lock is taken, and what a client is
 * shown of a session. Reads only; changes go through the {@link Ledger}.
 */
public final class UploadRules {

    private final SessionQueries sessions;
    private final ChunkStore store;
    private final RunningDigests digests;
    private final Clock clock;
    private final UploadsConfig config;

    public UploadRules(SessionQueries sessions, ChunkStore store, RunningDigests digests, Clock clock,
                       UploadsConfig config) {
        this.sessions = sessions;
        this.store = store;
        this.digests = digests;
        this.clock = clock;
        this.config = config;
    }

    UploadSession owned(Caller caller, String id, @Nullable String filename) {
        return sessions.find(id)
                .filter(s -> s.owner().equals(caller.name()))
                .filter(s -> filename == null || s.filename().equals(filename))
                .orElseThrow(() -> notFound(id));
    }

    /** OPEN and not past its expiry. */
    void requireOpen(UploadSession session) {
        if (expired(session)) {
            throw expiredError(session);
        }
        requireOpenToItsWriter(session);
    }

    /**
     * OPEN, for the writer whose claim was live until the transaction that records its bytes:
     * expiry waits for a session's claims, so its time to live may have passed while the body
     * arrived without the session being idle; recording the bytes moves its expiry on.
     */
    void requireOpenToItsWriter(UploadSession session) {
        if (session.state() == SessionState.EXPIRED) {
            throw expiredError(session);
        }
        if (session.state() != SessionState.OPEN) {
            throw new UploadException(Problem.SESSION_NOT_OPEN,
                    "session " + session.id() + " is " + session.state()
                            + "; only an OPEN session takes chunks or can be deleted");
        }
    }

    private static UploadException expiredError(UploadSession session) {
        return new UploadException(Problem.SESSION_EXPIRED,
                "session " + session.id() + " expired at " + session.expiresAt() + "; start the upload again");
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

    static void requireProtocol(UploadSession session, Protocol protocol) {
        if (session.protocol() != protocol) {
            throw new UploadException(Problem.INVALID_REQUEST, "session " + session.id() + " is a "
                    + session.protocol().wireName() + " upload; continue it with that protocol");
        }
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

    void requireTotalWithin(long totalSize) {
        if (totalSize > config.maxUploadSize().toBytes()) {
            throw new UploadException(Problem.TOO_LARGE, "an upload of " + totalSize
                    + " bytes is larger than the limit of " + config.maxUploadSize().toBytes() + " bytes");
        }
    }

    static void requireAtLeastReceived(long totalSize, long received) {
        if (totalSize < received) {
            throw new UploadException(Problem.INVALID_REQUEST,
                    "a length of " + totalSize + " bytes is less than the " + received + " bytes received");
        }
    }

    static void requireDeclaredWithin(ChunkChecks checks, long limit) {
        if (checks.declaredLength() > limit) {
            throw new UploadException(Problem.TOO_LARGE,
                    "chunk of " + checks.declaredLength() + " bytes is larger than the limit of " + limit + " bytes");
        }
    }

    static void requireOffset(long given, long expected) {
        if (given != expected) {
            throw new UploadException(Problem.OFFSET_MISMATCH, "offset " + given + " does not match " + expected);
        }
    }

    /**
     * Writes a chunk's bytes into the session's file at {@code offset} and fsyncs them, checked
     * as the client asked; the whole file's running SHA-256 is carried along when the bytes
     * continue it. The caller holds the writer claim on the range (or nobody else knows the
     * session yet). A refused body leaves nothing recorded; what it wrote lies outside every
     * recorded range.
     */
    Received write(String id, long offset, InputStream body, long limit, ChunkChecks checks, ChunkStore.Progress progress) {
        MessageDigest sha256 = digests.continuing(id, offset);
        Received received = store.write(id, offset, body, reading(limit, checks), sha256, progress);
        requireAsChecked(received, checks);
        return received;
    }

    /** Reads a chunk sent again only for its digests: recorded bytes are compared, never rewritten. */
    Received digestOnly(long offset, InputStream body, long limit, ChunkChecks checks) {
        Received received = store.digestOnly(body, offset, reading(limit, checks));
        requireAsChecked(received, checks);
        return received;
    }

    /** Once the bytes' row committed, the session's running digest reaches past them. */
    void advanced(String id, Received received) {
        digests.advanced(id, received.offset(), received.end(), received.sha256());
    }

    private static ChunkStore.Reading reading(long limit, ChunkChecks checks) {
        Checksum checksum = checks.checksum();
        String otherDigest = checksum == null || checksum.isMd5() ? null : checksum.algorithm();
        boolean keepInterrupted = checks.keepInterrupted() && checksum == null;
        return new ChunkStore.Reading(limit, checks.declaredLength(), otherDigest, keepInterrupted);
    }

    private static void requireAsChecked(Received received, ChunkChecks checks) {
        if (received.size() == 0 && !checks.emptyAllowed()) {
            throw new UploadException(Problem.INVALID_REQUEST, "the chunk is empty");
        }
        Checksum checksum = checks.checksum();
        if (checksum != null) {
            byte[] actual = checksum.isMd5() ? HexFormat.of().parseHex(received.md5()) : received.digest();
            if (!checksum.matches(actual)) {
                throw new UploadException(Problem.CHECKSUM_MISMATCH, checksum.algorithm().toLowerCase(Locale.ROOT)
                        + " of the chunk is " + HexFormat.of().formatHex(actual) + ", not " + checksum.expectedHex());
            }
        }
    }

    SessionSnapshot snapshot(UploadSession session) {
        return new SessionSnapshot(session, lastChunkOf(session));
    }

    Optional<Chunk> lastChunkOf(UploadSession session) {
        return session.maxChunk() == 0 ? Optional.empty() : sessions.chunk(session.id(), session.maxChunk());
    }

    Instant expiry(Instant now) {
        return now.plus(Duration.ofMillis(config.sessionTtl().toMilliseconds()));
    }

    static UploadException notFound(String id) {
        return new UploadException(Problem.NOT_FOUND, "no upload session " + id);
    }
}

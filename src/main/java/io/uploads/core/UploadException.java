package io.uploads.core;

import java.util.Locale;

/**
 * Why the core refused a request. Carries no HTTP status: each protocol maps {@link Problem}s to
 * its own answers. Whatever the problem, the session is left exactly as it was.
 */
public final class UploadException extends RuntimeException {

    public enum Problem {
        INVALID_REQUEST,
        /** The body is of a kind the protocol does not take. */
        UNSUPPORTED_MEDIA_TYPE,
        CHUNK_ORDER_INCORRECT,
        CHECKSUM_MISMATCH,
        OFFSET_MISMATCH,
        /** The client sent fewer bytes than it declared, or the connection broke mid-body. */
        INCOMPLETE_BODY,
        /** Completion asked for before every byte arrived. */
        INCOMPLETE_UPLOAD,
        NOT_FOUND,
        FORBIDDEN_GROUP,
        SESSION_NOT_OPEN,
        /** Another request changed the session while this one's body arrived; nothing was kept. */
        CONCURRENT_CHANGE,
        /** Another request holds the writer claim on this range of the session; its body was not read. */
        WRITER_BUSY,
        /** The session was idle past its time to live; its bytes are gone or about to be. */
        SESSION_EXPIRED,
        ASSEMBLY_IN_PROGRESS,
        FILE_EXISTS,
        TOO_LARGE,
        TOO_MANY_SESSIONS,
        STORAGE_FULL,
        /** The recorded bytes cannot make the file (missing or short on disk); the session FAILED. */
        BYTES_UNUSABLE;

        /** Machine-readable name, e.g. {@code chunk_order_incorrect}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Problem problem;

    public UploadException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public UploadException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}

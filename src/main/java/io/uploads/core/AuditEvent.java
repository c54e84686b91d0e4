package io.uploads.core;

import java.util.Locale;

/** The kinds of rows of the audit trail: one per lifecycle event. */
public enum AuditEvent {
    SESSION_CREATED,
    /** Every byte of the declared length is held; the server completes the session. */
    SESSION_COMPLETION_DUE,
    SESSION_ASSEMBLING,
    /** Assembly could not finish, or recovery dropped bytes: the session takes bytes again. */
    SESSION_REOPENED,
    SESSION_COMPLETED,
    SESSION_ABORTED,
    SESSION_EXPIRED,
    SESSION_FAILED,
    /** Recovery repaired the session's rows after an unclean stop (detail says how). */
    SESSION_RECOVERED,
    AUTH_DENIED,
    TOKEN_ISSUED,
    TOKEN_REVOKED,
    /** An administrator's action through the admin API (detail says which). */
    ADMIN_ACTION;

    /** The name stored in the trail, e.g. {@code session_created}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The event that records a session's arrival at {@code stage}. */
    public static AuditEvent entering(Stage stage) {
        return switch (stage) {
            case OPEN -> SESSION_REOPENED;
            case COMPLETION_DUE -> SESSION_COMPLETION_DUE;
            case ASSEMBLING -> SESSION_ASSEMBLING;
            case COMPLETED -> SESSION_COMPLETED;
            case ABORTED -> SESSION_ABORTED;
            case EXPIRED -> SESSION_EXPIRED;
            case FAILED -> SESSION_FAILED;
        };
    }
}

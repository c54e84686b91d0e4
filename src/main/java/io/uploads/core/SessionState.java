package io.uploads.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life cycle of an upload session. Every change is a compare-and-set on the session row, so two
 * requests (or two instances) can never both move a session out of the same state.
 */
public enum SessionState {
    OPEN,
    ASSEMBLING,
    COMPLETED,
    ABORTED,
    EXPIRED,
    FAILED;

    /** States in which a session may still change; the others are final. */
    public static final Set<SessionState> ACTIVE = EnumSet.of(OPEN, ASSEMBLING);

    public boolean canMoveTo(SessionState next) {
        return switch (this) {
            case OPEN -> next == ASSEMBLING || next == ABORTED || next == EXPIRED;
            // back to OPEN when assembly could not finish but the bytes are intact (disk full,
            // name taken under the reject policy): the client can simply retry
            case ASSEMBLING -> next == COMPLETED || next == FAILED || next == OPEN;
            case COMPLETED, ABORTED, EXPIRED, FAILED -> false;
        };
    }

    public boolean isFinal() {
        return !ACTIVE.contains(this);
    }
}

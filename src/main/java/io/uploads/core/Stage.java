package io.uploads.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a session is in its life, and the one table of the moves between stages. A stage is what
 * the session row stores as its {@link SessionState}, except that an OPEN session holding every
 * byte of its declared length is {@link #COMPLETION_DUE}: stored as OPEN with
 * {@code completion_due_at} set, because to its client it is an open upload with nothing left to
 * send, and the server completes it (at once, or by its sweep when completion could not finish).
 */
public enum Stage {
    OPEN,
    COMPLETION_DUE,
    ASSEMBLING,
    COMPLETED,
    ABORTED,
    EXPIRED,
    FAILED;

    private static final Set<Stage> ACTIVE = EnumSet.of(OPEN, COMPLETION_DUE, ASSEMBLING);

    public boolean canMoveTo(Stage next) {
        return switch (this) {
            case OPEN -> next == COMPLETION_DUE || next == ASSEMBLING || next == ABORTED || next == EXPIRED;
            // back to OPEN when recovery dropped bytes that were missing on disk; never expires
            case COMPLETION_DUE -> next == ASSEMBLING || next == OPEN || next == ABORTED;
            // back when assembly could not finish but the bytes are intact (disk full, name taken
            // under the reject policy): due again if the length is declared, else open
            case ASSEMBLING -> next == COMPLETED || next == FAILED || next == OPEN || next == COMPLETION_DUE;
            case COMPLETED, ABORTED, EXPIRED, FAILED -> false;
        };
    }

    public boolean isFinal() {
        return !ACTIVE.contains(this);
    }

    /** What the session row stores for this stage. */
    public SessionState stored() {
        return this == COMPLETION_DUE ? SessionState.OPEN : SessionState.valueOf(name());
    }

    public static Stage of(SessionState state, boolean completionDue) {
        return state == SessionState.OPEN && completionDue ? COMPLETION_DUE : valueOf(state.name());
    }
}

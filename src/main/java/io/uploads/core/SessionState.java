package io.uploads.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life cycle of an upload session as its row stores it; {@link Stage} names the stages and holds
 * the transition table. Every change is a compare-and-set on the session row, so two requests (or
 * two instances) can never both move a session out of the same state.
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

    /** The moves of {@link Stage}'s table as the stored state sees them. */
    public boolean canMoveTo(SessionState next) {
        return this != next && Stage.of(this, false).canMoveTo(Stage.of(next, false));
    }

    public boolean isFinal() {
        return !ACTIVE.contains(this);
    }
}

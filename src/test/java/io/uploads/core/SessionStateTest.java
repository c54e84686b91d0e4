package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionStateTest {

    @Test
    void openMovesOnlyToAssemblingAbortedOrExpired() {
        assertThat(java.util.EnumSet.allOf(SessionState.class).stream().filter(SessionState.OPEN::canMoveTo))
                .containsExactlyInAnyOrder(SessionState.ASSEMBLING, SessionState.ABORTED, SessionState.EXPIRED);
    }

    @Test
    void assemblingEndsCompletedOrFailedOrGoesBackToOpen() {
        assertThat(java.util.EnumSet.allOf(SessionState.class).stream().filter(SessionState.ASSEMBLING::canMoveTo))
                .containsExactlyInAnyOrder(SessionState.COMPLETED, SessionState.FAILED, SessionState.OPEN);
    }

    @ParameterizedTest
    @EnumSource(value = SessionState.class, names = {"COMPLETED", "ABORTED", "EXPIRED", "FAILED"})
    void aFinishedSessionNeverChanges(SessionState state) {
        assertThat(state.isFinal()).isTrue();
        for (SessionState next : SessionState.values()) {
            assertThat(state.canMoveTo(next)).as("%s -> %s", state, next).isFalse();
        }
    }
}

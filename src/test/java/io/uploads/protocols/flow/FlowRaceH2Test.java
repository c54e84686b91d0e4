package io.uploads.protocols.flow;

import io.uploads.testing.TestDatabase;

class FlowRaceH2Test extends FlowRaceTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

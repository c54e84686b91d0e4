package io.uploads.protocols.flow;

import io.uploads.testing.TestDatabase;

class FlowBadInputH2Test extends FlowBadInputTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

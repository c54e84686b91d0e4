package io.uploads.protocols.flow;

import io.uploads.testing.TestDatabase;

class FlowCorsH2Test extends FlowCorsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.flow;

import io.uploads.testing.TestDatabase;

class FlowApiH2Test extends FlowApiTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

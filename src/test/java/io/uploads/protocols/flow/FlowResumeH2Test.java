package io.uploads.protocols.flow;

import io.uploads.testing.TestDatabase;

class FlowResumeH2Test extends FlowResumeTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.flow;

import io.uploads.testing.TestDatabase;

class FlowExistingFileRejectH2Test extends FlowExistingFileRejectTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

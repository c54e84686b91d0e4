package io.uploads.protocols.resumables;

import io.uploads.testing.TestDatabase;

class ExistingFileRejectH2Test extends ExistingFileRejectTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.tus;

import io.uploads.testing.TestDatabase;

class TusExistingFileRejectH2Test extends TusExistingFileRejectTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.resumables;

import io.uploads.testing.TestDatabase;

class StorageFullH2Test extends StorageFullTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

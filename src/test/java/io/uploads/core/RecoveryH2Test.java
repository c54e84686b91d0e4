package io.uploads.core;

import io.uploads.testing.TestDatabase;

class RecoveryH2Test extends RecoveryTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

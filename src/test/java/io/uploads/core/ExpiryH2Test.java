package io.uploads.core;

import io.uploads.testing.TestDatabase;

class ExpiryH2Test extends ExpiryTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

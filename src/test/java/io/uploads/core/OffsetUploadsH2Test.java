package io.uploads.core;

import io.uploads.testing.TestDatabase;

class OffsetUploadsH2Test extends OffsetUploadsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

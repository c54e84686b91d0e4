package io.uploads.core;

import io.uploads.testing.TestDatabase;

class ParallelUploadsH2Test extends ParallelUploadsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.system;

import io.uploads.testing.TestDatabase;

class KillManyUploadsH2Test extends KillManyUploadsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.system;

import io.uploads.testing.TestDatabase;

class KillResumeTusH2Test extends KillResumeTusTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.system;

import io.uploads.testing.TestDatabase;

class KillResumeH2Test extends KillResumeTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

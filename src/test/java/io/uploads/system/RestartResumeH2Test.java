package io.uploads.system;

import io.uploads.testing.TestDatabase;

class RestartResumeH2Test extends RestartResumeTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

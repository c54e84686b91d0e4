package io.uploads.system;

import io.uploads.testing.TestDatabase;

class LargeResumeH2Test extends LargeResumeTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

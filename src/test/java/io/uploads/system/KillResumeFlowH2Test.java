package io.uploads.system;

import io.uploads.testing.TestDatabase;

class KillResumeFlowH2Test extends KillResumeFlowTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

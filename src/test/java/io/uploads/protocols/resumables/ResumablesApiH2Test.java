package io.uploads.protocols.resumables;

import io.uploads.testing.TestDatabase;

class ResumablesApiH2Test extends ResumablesApiTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

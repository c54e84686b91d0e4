package io.uploads.protocols;

import io.uploads.testing.TestDatabase;

class SessionLimitH2Test extends SessionLimitTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.system;

import io.uploads.testing.TestDatabase;

class AccessControlH2Test extends AccessControlTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

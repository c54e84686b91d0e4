package io.uploads.admin;

import io.uploads.testing.TestDatabase;

class PendingCommandH2Test extends PendingCommandTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

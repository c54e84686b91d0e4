package io.uploads.health;

import io.uploads.testing.TestDatabase;

class AdminPortH2Test extends AdminPortTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

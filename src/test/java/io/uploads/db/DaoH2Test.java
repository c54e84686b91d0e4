package io.uploads.db;

import io.uploads.testing.TestDatabase;

class DaoH2Test extends DaoTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

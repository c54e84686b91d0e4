package io.uploads.db;

import io.uploads.testing.TestDatabase;

class AdminQueriesH2Test extends AdminQueriesTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

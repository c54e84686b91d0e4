package io.uploads.db;

import io.uploads.testing.RequiresPostgres;
import io.uploads.testing.TestDatabase;

@RequiresPostgres
class AdminQueriesPostgresTest extends AdminQueriesTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.POSTGRES;
    }
}

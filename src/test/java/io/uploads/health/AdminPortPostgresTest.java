package io.uploads.health;

import io.uploads.testing.RequiresPostgres;
import io.uploads.testing.TestDatabase;

@RequiresPostgres
class AdminPortPostgresTest extends AdminPortTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.POSTGRES;
    }
}

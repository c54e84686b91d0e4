package io.uploads.core;

import io.uploads.testing.RequiresPostgres;
import io.uploads.testing.TestDatabase;

@RequiresPostgres
class ExpiryPostgresTest extends ExpiryTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.POSTGRES;
    }
}

package io.uploads.system;

import io.uploads.testing.RequiresPostgres;
import io.uploads.testing.TestDatabase;

@RequiresPostgres
class MaintenanceCommandsPostgresTest extends MaintenanceCommandsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.POSTGRES;
    }
}

package io.uploads.system;

import io.uploads.testing.TestDatabase;

class MaintenanceCommandsH2Test extends MaintenanceCommandsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.health;

import io.uploads.testing.TestDatabase;

class HealthCheckH2Test extends HealthCheckTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

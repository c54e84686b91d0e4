package io.uploads.web;

import io.uploads.testing.TestDatabase;

class DashboardApiH2Test extends DashboardApiTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

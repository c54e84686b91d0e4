package io.uploads.admin;

import io.uploads.testing.TestDatabase;

class AdminApiH2Test extends AdminApiTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

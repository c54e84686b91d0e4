package io.uploads.core;

import io.uploads.testing.TestDatabase;

class TestQueryRaceH2Test extends TestQueryRaceTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

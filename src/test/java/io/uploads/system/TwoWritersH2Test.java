package io.uploads.system;

import io.uploads.testing.TestDatabase;

class TwoWritersH2Test extends TwoWritersTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.resumables;

import io.uploads.testing.TestDatabase;

class ResumablesBadInputH2Test extends ResumablesBadInputTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

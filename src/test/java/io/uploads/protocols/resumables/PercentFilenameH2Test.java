package io.uploads.protocols.resumables;

import io.uploads.testing.TestDatabase;

class PercentFilenameH2Test extends PercentFilenameTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.resumables;

import io.uploads.testing.TestDatabase;

class ResumablesLimitsH2Test extends ResumablesLimitsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

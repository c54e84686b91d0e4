package io.uploads.core;

import io.uploads.testing.TestDatabase;

class WhileABodyArrivesH2Test extends WhileABodyArrivesTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

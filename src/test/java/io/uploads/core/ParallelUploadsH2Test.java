package io.uploads.core;

import io.uploads.testing.TestDatabase;

class NumberedChunksH2Test extends NumberedChunksTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

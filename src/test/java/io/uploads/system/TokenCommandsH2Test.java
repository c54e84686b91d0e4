package io.uploads.system;

import io.uploads.testing.TestDatabase;

class TokenCommandsH2Test extends TokenCommandsTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols;

import io.uploads.testing.TestDatabase;

class NotResumableH2Test extends NotResumableTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

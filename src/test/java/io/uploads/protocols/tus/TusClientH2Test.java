package io.uploads.protocols.tus;

import io.uploads.testing.TestDatabase;

class TusClientH2Test extends TusClientTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.tus;

import io.uploads.testing.TestDatabase;

class TusProtocolH2Test extends TusProtocolTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

package io.uploads.protocols.tus;

import io.uploads.testing.TestDatabase;

class TusBehindProxyH2Test extends TusBehindProxyTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

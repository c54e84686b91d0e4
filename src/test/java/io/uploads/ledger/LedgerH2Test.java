package io.uploads.ledger;

import io.uploads.testing.TestDatabase;

class LedgerH2Test extends LedgerTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

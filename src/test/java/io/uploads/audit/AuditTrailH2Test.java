package io.uploads.audit;

import io.uploads.testing.TestDatabase;

class AuditTrailH2Test extends AuditTrailTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

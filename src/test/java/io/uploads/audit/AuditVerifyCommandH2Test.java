package io.uploads.audit;

import io.uploads.testing.TestDatabase;

class AuditVerifyCommandH2Test extends AuditVerifyCommandTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }
}

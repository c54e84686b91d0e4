package io.uploads.protocols.tus;

import io.uploads.testing.RequiresPostgres;
import io.uploads.testing.TestDatabase;

@RequiresPostgres
class TusExistingFileRejectPostgresTest extends TusExistingFileRejectTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.POSTGRES;
    }
}

package io.uploads.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A migrated database of its own per test class, without the HTTP service: for DAO and core
 * tests. Runs on H2 and, through a {@link RequiresPostgres} runner, on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DatabaseTestBase {

    protected Path tmp;
    protected TestDatabase database;
    protected Jdbi jdbi;

    protected abstract TestDatabase.Kind databaseKind();

    @BeforeAll
    void migrate() throws IOException {
        tmp = Files.createTempDirectory("uploads-db-test-");
        database = TestDatabase.create(databaseKind(), tmp);
        jdbi = database.migratedJdbi();
    }

    @AfterAll
    void dropDatabase() {
        database.close();
        TestFiles.deleteRecursively(tmp);
    }
}

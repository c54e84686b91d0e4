package io.uploads.testing;

import io.dropwizard.testing.ConfigOverride;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One running service per test class. Each contract is written once as an abstract subclass and
 * run twice: by an {@code ...H2Test} and by a {@code ...PostgresTest} marked {@link RequiresPostgres}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AppTestBase {

    /** This class's own directory for the database file and storage; removed afterwards. */
    protected Path tmp;

    protected TestApp app;
    protected Http http;

    protected abstract TestDatabase.Kind databaseKind();

    protected ConfigOverride[] overrides() {
        return new ConfigOverride[0];
    }

    @BeforeAll
    void startService() throws IOException {
        tmp = Files.createTempDirectory("uploads-test-");
        app = TestApp.start(TestDatabase.create(databaseKind(), tmp), tmp.resolve("storage"), overrides());
        http = app.http();
    }

    @AfterAll
    void stopService() {
        if (app != null) {
            app.close();
            app.database().close();
        }
        TestFiles.deleteRecursively(tmp);
    }
}

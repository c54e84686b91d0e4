package io.uploads.testing;

import io.uploads.config.DatabaseConfig;
import io.uploads.db.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * A database of its own for one test class: an H2 file under the class's temp dir, or a fresh
 * schema in the PostgreSQL database named by {@code UPLOADS_TEST_PG_URL} (dropped on close).
 */
public final class TestDatabase implements AutoCloseable {

    public enum Kind { H2, POSTGRES }

    private final Kind kind;
    private final String url;
    private final @Nullable String schema;

    private TestDatabase(Kind kind, String url, @Nullable String schema) {
        this.kind = kind;
        this.url = url;
        this.schema = schema;
    }

    public static @Nullable String postgresUrl() {
        String url = System.getenv("UPLOADS_TEST_PG_URL");
        return url == null || url.isBlank() ? null : url;
    }

    public static TestDatabase create(Kind kind, Path dir) {
        return kind == Kind.H2 ? h2(dir) : postgres();
    }

    /** A plain H2 file URL, as a user would configure it (the service adds what it needs). */
    public static TestDatabase h2(Path dir) {
        return new TestDatabase(Kind.H2, "jdbc:h2:" + dir.toAbsolutePath().resolve("db") + ";AUTO_SERVER=TRUE", null);
    }

    public static TestDatabase postgres() {
        String base = postgresUrl();
        if (base == null) {
            throw new IllegalStateException("UPLOADS_TEST_PG_URL is not set");
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema in " + base, e);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new TestDatabase(Kind.POSTGRES, url, schema);
    }

    public Kind kind() {
        return kind;
    }

    public String url() {
        return url;
    }

    public String user() {
        return kind == Kind.H2 ? "sa" : "";
    }

    public DatabaseConfig config() {
        return new DatabaseConfig(url, user(), "", 8);
    }

    /** A separate connection pool onto the same database, for assertions and direct set-up. */
    public Jdbi jdbi() {
        return Database.jdbi(config().dataSourceFactory().build(new com.codahale.metrics.MetricRegistry(), "test"));
    }

    /** Applies the migrations, as the service does at start-up. */
    public Jdbi migratedJdbi() {
        var dataSource = config().dataSourceFactory().build(new com.codahale.metrics.MetricRegistry(), "test");
        Database.migrate(dataSource);
        return Database.jdbi(dataSource);
    }

    @Override
    public void close() {
        if (schema == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(postgresUrl()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop test schema " + schema + ": " + e);
        }
    }
}

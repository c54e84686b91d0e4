package io.uploads.db;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one way a data source becomes a migrated schema and a {@link Jdbi}. */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** The migrations/ folder of the repository, packaged into the jar at build time. */
    public static final String MIGRATIONS = "classpath:db/migration";

    private Database() {}

    public static MigrateResult migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .validateMigrationNaming(true)
                .failOnMissingLocations(true)
                .load();
        MigrateResult result = flyway.migrate();
        LOG.info("Schema at version {} ({} migrations applied)", flyway.info().current().getVersion(),
                result.migrationsExecuted);
        return result;
    }

    public static Jdbi jdbi(DataSource dataSource) {
        return Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    }

    /** The version of the last migration applied. */
    public static String schemaVersion(Jdbi jdbi) {
        // Flyway's history table: quoted lower-case names in both H2 and PostgreSQL
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT "version" FROM "flyway_schema_history"
                WHERE "success" = TRUE AND "version" IS NOT NULL
                ORDER BY "installed_rank" DESC
                LIMIT 1
                """).mapTo(String.class).one());
    }

    /** SQLState 23505 is a unique violation in both H2 and PostgreSQL. */
    public static boolean isUniqueViolation(JdbiException e) {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }
}

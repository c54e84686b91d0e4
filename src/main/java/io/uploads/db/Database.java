package io.uploads.db;

import io.uploads.auth.TokenRecord;
import io.uploads.core.AuditEntry;
import io.uploads.core.Chunk;
import io.uploads.core.UploadSession;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
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

    /**
     * Instants travel as UTC {@code OffsetDateTime}s, never through {@code java.sql.Timestamp}, whose
     * local-time conversion shifts the repeated hour of a daylight-saving change on H2 (and the
     * audit chain's hashes with it).
     */
    public static Jdbi jdbi(DataSource dataSource) {
        Jdbi jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
        jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.TIMESTAMP_WITH_TIMEZONE) {
            @Override
            protected Argument build(Instant value, ConfigRegistry config) {
                return (position, statement, ctx) -> statement.setObject(position,
                        OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
            }
        });
        jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        });
        jdbi.registerRowMapper(UploadSession.class, RecordMappers.of(UploadSession.class));
        jdbi.registerRowMapper(Chunk.class, RecordMappers.of(Chunk.class));
        jdbi.registerRowMapper(TokenRecord.class, RecordMappers.of(TokenRecord.class));
        jdbi.registerRowMapper(AuditEntry.class, RecordMappers.of(AuditEntry.class));
        jdbi.registerRowMapper(AuditDao.Head.class, RecordMappers.of(AuditDao.Head.class));
        return jdbi;
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

    /** A unique violation of the named constraint (H2 and PostgreSQL both name it in the message). */
    public static boolean isUniqueViolation(JdbiException e, String constraint) {
        return isUniqueViolation(e) && String.valueOf(e.getCause().getMessage()).toLowerCase(java.util.Locale.ROOT)
                .contains(constraint);
    }

    /** SQLState 23505 is a unique violation in both H2 and PostgreSQL. */
    public static boolean isUniqueViolation(JdbiException e) {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }
}

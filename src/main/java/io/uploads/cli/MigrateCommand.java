package io.uploads.cli;

import io.uploads.UploadServiceConfiguration;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import org.jdbi.v3.core.Jdbi;

/** {@code migrate config.yml}: applies pending migrations without starting the server. */
public final class MigrateCommand extends DatabaseCommand {

    public MigrateCommand() {
        super("migrate", "Applies pending database migrations");
    }

    @Override
    List<String> run(Namespace namespace, UploadServiceConfiguration config, Jdbi jdbi) {
        // Flyway's history table: quoted lower-case names in both H2 and PostgreSQL
        String version = jdbi.withHandle(h -> h.createQuery("""
                SELECT "version" FROM "flyway_schema_history"
                WHERE "success" = TRUE AND "version" IS NOT NULL
                ORDER BY "installed_rank" DESC
                LIMIT 1
                """).mapTo(String.class).one());
        return List.of("Schema at version " + version);
    }
}

package io.uploads.cli;

import io.uploads.Services;
import io.uploads.db.Database;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/** {@code migrate config.yml}: applies pending migrations without starting the server. */
public final class MigrateCommand extends DatabaseCommand {

    public MigrateCommand() {
        super("migrate", "Applies pending database migrations");
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        return Outcome.ok(List.of("Schema at version " + Database.schemaVersion(services.jdbi())));
    }
}

package io.uploads.cli;

import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import io.uploads.UploadServiceConfiguration;
import io.uploads.db.Database;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import org.jdbi.v3.core.Jdbi;

/**
 * A command that works on the service's database, also while a server uses it (H2 with
 * {@code AUTO_SERVER=TRUE}, or PostgreSQL). Its result is printed after the log is flushed, so
 * the last line of stdout is the command's own.
 */
abstract class DatabaseCommand extends ConfiguredCommand<UploadServiceConfiguration> {

    DatabaseCommand(String name, String description) {
        super(name, description);
    }

    @Override
    protected final void run(Bootstrap<UploadServiceConfiguration> bootstrap, Namespace namespace,
                             UploadServiceConfiguration config) throws Exception {
        ManagedDataSource dataSource = config.database().dataSourceFactory()
                .build(bootstrap.getMetricRegistry(), "uploads-db-cli");
        List<String> output;
        try {
            Database.migrate(dataSource);
            output = run(namespace, config, Database.jdbi(dataSource));
        } finally {
            dataSource.stop();
        }
        config.getLoggingFactory().stop();
        output.forEach(System.out::println);
        System.out.flush();
    }

    /** Does the work and returns the lines to print. */
    abstract List<String> run(Namespace namespace, UploadServiceConfiguration config, Jdbi jdbi) throws Exception;
}

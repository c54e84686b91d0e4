package io.uploads.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import io.uploads.Services;
import io.uploads.UploadServiceConfiguration;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import org.slf4j.LoggerFactory;

/**
 * A command that works on the service's {@link Services}, also while a server uses the same
 * database (H2 with {@code AUTO_SERVER=TRUE}, or PostgreSQL). Its result alone goes to stdout;
 * a command that finds something wrong says so on its last line and exits non-zero.
 */
abstract class DatabaseCommand extends ConfiguredCommand<UploadServiceConfiguration> {

    DatabaseCommand(String name, String description) {
        super(name, description);
    }

    /** The lines to print, and whether the command found everything in order. */
    record Outcome(List<String> lines, boolean ok) {
        static Outcome ok(List<String> lines) {
            return new Outcome(lines, true);
        }
    }

    @Override
    protected final void run(Bootstrap<UploadServiceConfiguration> bootstrap, Namespace namespace,
                             UploadServiceConfiguration config) throws Exception {
        logToStandardError();
        ManagedDataSource dataSource = config.database().dataSourceFactory()
                .build(bootstrap.getMetricRegistry(), "uploads-db-cli");
        Outcome outcome;
        try {
            outcome = run(namespace, Services.build(config, dataSource));
        } finally {
            dataSource.stop();
        }
        outcome.lines().forEach(System.out::println);
        System.out.flush();
        if (!outcome.ok()) {
            System.exit(1);
        }
    }

    /**
     * Stdout belongs to the command's result (scripts take a token from its last line), so the
     * log goes to stderr, written synchronously: nothing can land after the result.
     */
    private static void logToStandardError() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level [%d{ISO8601}] %logger: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(stderr);
    }

    /** Does the work and returns the lines to print. */
    abstract Outcome run(Namespace namespace, Services services) throws Exception;
}

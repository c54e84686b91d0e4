package io.uploads.cli;

import io.uploads.Services;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestApp;
import java.util.ArrayList;
import java.util.List;
import net.sourceforge.argparse4j.ArgumentParsers;
import net.sourceforge.argparse4j.inf.ArgumentParser;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * A database command run in the test's JVM on a {@link TestApp}'s database: its options parsed by
 * the parser it configures, its work done on {@link Services} of its own, and its outcome as the
 * command line would show it (the lines on stdout, exit code 1 when it found something wrong).
 * What a separate JVM adds (loading config.yml, logging to stderr, the exit code of a real
 * process) is covered by one test per command through {@link SeparateJvm}; the rest of a
 * command's cases run here, without a JVM start each.
 */
public final class InProcessCommand implements AutoCloseable {

    private final io.dropwizard.db.ManagedDataSource dataSource;
    private final Services services;

    public InProcessCommand(TestApp app) {
        this.dataSource = app.database().config().dataSourceFactory()
                .build(new com.codahale.metrics.MetricRegistry(), "in-process-command");
        this.services = Services.build(app.config(), dataSource);
    }

    /** As {@link SeparateJvm#command}: the command must exit 0. */
    public SeparateJvm.Result command(String command, String... options) {
        SeparateJvm.Result result = commandAnyExit(command, options);
        if (result.exitCode() != 0) {
            throw new AssertionError(command + " failed: " + result.describe());
        }
        return result;
    }

    /** As {@link SeparateJvm#commandAnyExit}: {@code pending} or {@code audit-verify}, whatever it finds; never exits. */
    public SeparateJvm.Result commandAnyExit(String command, String... options) {
        DatabaseCommand cmd = switch (command) {
            case "pending" -> new PendingCommand();
            case "audit-verify" -> new AuditVerifyCommand();
            default -> throw new IllegalArgumentException("no in-process run for " + command);
        };
        ArgumentParser parser = ArgumentParsers.newFor("upload-service").build();
        Subparser subparser = parser.addSubparsers().addParser(cmd.getName());
        cmd.configure(subparser);
        List<String> args = new ArrayList<>();
        args.add(cmd.getName());
        args.addAll(List.of(options));
        args.add(SeparateJvm.configYml().toString());
        try {
            DatabaseCommand.Outcome outcome = cmd.run(parser.parseArgs(args.toArray(String[]::new)), services);
            return new SeparateJvm.Result(outcome.ok() ? 0 : 1, outcome.lines(), "");
        } catch (ArgumentParserException e) {
            return new SeparateJvm.Result(1, List.of(), e.getMessage());
        } catch (Exception e) {
            throw new AssertionError(command + " failed", e);
        }
    }

    @Override
    public void close() throws Exception {
        dataSource.stop();
    }
}

package io.uploads;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.uploads.auth.Authentication;
import io.uploads.auth.TokenService;
import io.uploads.cli.ExpireCommand;
import io.uploads.cli.MigrateCommand;
import io.uploads.cli.RecoverCommand;
import io.uploads.cli.TokenCreateCommand;
import io.uploads.cli.TokenListCommand;
import io.uploads.cli.TokenRevokeCommand;
import io.uploads.core.ChunkStore;
import io.uploads.core.ParallelUploads;
import io.uploads.core.Recovery;
import io.uploads.core.SessionSweep;
import io.uploads.core.UploadService;
import io.uploads.db.Database;
import io.uploads.health.AdminServlets;
import io.uploads.health.DatabaseHealthCheck;
import io.uploads.health.StorageHealthCheck;
import io.uploads.protocols.CloseRefusedUploads;
import io.uploads.protocols.Cors;
import io.uploads.protocols.DatabaseUnavailableMapper;
import io.uploads.protocols.JsonErrorHandler;
import io.uploads.protocols.PercentInPaths;
import io.uploads.protocols.UploadExceptionMapper;
import io.uploads.protocols.flow.FlowResource;
import io.uploads.protocols.resumables.ResumablesResource;
import io.uploads.protocols.tus.TusRefusalMapper;
import io.uploads.protocols.tus.TusResource;
import io.uploads.protocols.tus.TusVersionFilter;
import io.uploads.tasks.ExpireTask;
import io.uploads.tasks.RecoverTask;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.glassfish.jersey.server.filter.HttpMethodOverrideFilter;
import org.jdbi.v3.core.Jdbi;

public class UploadServiceApplication extends Application<UploadServiceConfiguration> {

    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    public static void main(String[] args) throws Exception {
        new UploadServiceApplication().run(args);
    }

    @Override
    public String getName() {
        return "upload-service";
    }

    @Override
    public void initialize(Bootstrap<UploadServiceConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        bootstrap.addCommand(new TokenCreateCommand());
        bootstrap.addCommand(new TokenListCommand());
        bootstrap.addCommand(new TokenRevokeCommand());
        bootstrap.addCommand(new MigrateCommand());
        bootstrap.addCommand(new RecoverCommand());
        bootstrap.addCommand(new ExpireCommand());
    }

    @Override
    public void run(UploadServiceConfiguration config, Environment env) {
        ManagedDataSource dataSource = config.database().dataSourceFactory().build(env.metrics(), "uploads-db");
        env.lifecycle().manage(dataSource);
        // schema, recovery and the first token all happen here, before the server opens its port
        Database.migrate(dataSource);
        Jdbi jdbi = Database.jdbi(dataSource);

        Clock clock = clock();
        ChunkStore store = chunkStore(config);
        UploadService uploads = new UploadService(jdbi, store, clock, config.uploads());
        Recovery recovery = recovery(config, jdbi, store, uploads, clock);
        recovery.run();
        env.lifecycle().manage(new SessionSweep(uploads, clock,
                env.lifecycle().scheduledExecutorService("session-sweep").build(), SWEEP_INTERVAL));

        TokenService tokens = TokenService.create(jdbi, config.auth(), clock);
        tokens.bootstrapAdminToken(config.auth().bootstrapAdmin(), javaDuration(config.auth().tokenTtl()));
        Authentication.register(env.jersey(), tokens);

        PercentInPaths.allow(config.getServerFactory(), env);
        env.getApplicationContext().setErrorHandler(new JsonErrorHandler());
        env.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
        env.jersey().register(new CloseRefusedUploads());
        env.jersey().register(new UploadExceptionMapper());
        env.jersey().register(new DatabaseUnavailableMapper());
        env.jersey().register(new ResumablesResource(uploads, config.uploads()));
        env.jersey().register(new HttpMethodOverrideFilter(HttpMethodOverrideFilter.Source.HEADER));
        env.jersey().register(new TusVersionFilter());
        env.jersey().register(new TusRefusalMapper());
        env.jersey().register(new TusResource(uploads, config.uploads()));
        env.jersey().register(new FlowResource(new ParallelUploads(jdbi, store, uploads, clock, config.uploads())));
        if (config.cors().enabled()) {
            env.getApplicationContext().insertHandler(Cors.handler(config.cors()));
        }

        AdminServlets.configure(env, config.adminPort());
        env.admin().addTask(new RecoverTask(recovery));
        env.admin().addTask(new ExpireTask(uploads));
        env.healthChecks().register("database", new DatabaseHealthCheck(jdbi));
        env.healthChecks().register("storage",
                new StorageHealthCheck(store, config.storage().minFreeSpace().toBytes()));
    }

    /** Microseconds: what both H2 and PostgreSQL keep, so an answer shows what a later read will. */
    public static Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.of(1, ChronoUnit.MICROS));
    }

    public static ChunkStore chunkStore(UploadServiceConfiguration config) {
        return ChunkStore.open(Path.of(config.storage().directory()), config.storage().minFreeSpace().toBytes());
    }

    public static Recovery recovery(UploadServiceConfiguration config, Jdbi jdbi, ChunkStore store,
                                    UploadService uploads, Clock clock) {
        return new Recovery(jdbi, store, uploads, clock, javaDuration(config.uploads().recoveryGracePeriod()));
    }

    public static Duration javaDuration(io.dropwizard.util.Duration duration) {
        return Duration.ofMillis(duration.toMilliseconds());
    }
}

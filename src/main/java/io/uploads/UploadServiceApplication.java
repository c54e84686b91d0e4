package io.uploads;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.uploads.admin.AdminResource;
import io.uploads.admin.AuditVerifyResource;
import io.uploads.admin.UploadHistoryResource;
import io.uploads.admin.UploadTotals;
import io.uploads.auth.Authentication;
import io.uploads.auth.TokenService;
import io.uploads.cli.AuditVerifyCommand;
import io.uploads.cli.ExpireCommand;
import io.uploads.cli.MigrateCommand;
import io.uploads.cli.PendingCommand;
import io.uploads.cli.RecoverCommand;
import io.uploads.cli.TokenCreateCommand;
import io.uploads.cli.TokenListCommand;
import io.uploads.cli.TokenRevokeCommand;
import io.uploads.core.SessionSweep;
import io.uploads.db.H2Housekeeping;
import io.uploads.health.AdminServlets;
import io.uploads.health.DatabaseHealthCheck;
import io.uploads.health.StorageHealthCheck;
import io.uploads.metrics.UploadMetrics;
import io.uploads.protocols.CloseRefusedUploads;
import io.uploads.protocols.Cors;
import io.uploads.protocols.DatabaseUnavailableMapper;
import io.uploads.protocols.JsonErrorHandler;
import io.uploads.protocols.PercentInPaths;
import io.uploads.protocols.UploadExceptionMapper;
import io.uploads.protocols.flow.AnswerDelivery;
import io.uploads.protocols.flow.FlowResource;
import io.uploads.protocols.resumables.ResumablesResource;
import io.uploads.protocols.tus.TusResource;
import io.uploads.protocols.tus.TusVersionFilter;
import io.uploads.tasks.AuditVerifyTask;
import io.uploads.tasks.ExpireTask;
import io.uploads.tasks.RecoverTask;
import io.uploads.web.WebPages;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.glassfish.jersey.server.filter.HttpMethodOverrideFilter;

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
        bootstrap.addCommand(new AuditVerifyCommand());
        bootstrap.addCommand(new PendingCommand());
    }

    @Override
    public void run(UploadServiceConfiguration config, Environment env) {
        ManagedDataSource dataSource = config.database().dataSourceFactory().build(env.metrics(), "uploads-db");
        env.lifecycle().manage(dataSource);
        // schema, recovery and the first token all happen here, before the server opens its port
        UploadMetrics metrics = new UploadMetrics(env.metrics());
        Services services = Services.build(config, dataSource, metrics);
        services.recovery().run();
        if (config.database().isH2()) {
            env.lifecycle().manage(new H2Housekeeping(dataSource, services.ledger().writes(),
                    env.lifecycle().scheduledExecutorService("h2-housekeeping").build()));
        }
        env.lifecycle().manage(new SessionSweep(services.expiry(), services.completion(), services.denials(), services.ledger().clock(),
                env.lifecycle().scheduledExecutorService("session-sweep").build(), SWEEP_INTERVAL));

        TokenService tokens = services.tokens();
        tokens.bootstrapAdminToken(config.auth().bootstrapAdmin(), Services.javaDuration(config.auth().tokenTtl()));
        Authentication.register(env.jersey(), tokens, services.denials());

        PercentInPaths.allow(config.getServerFactory(), env);
        env.getApplicationContext().setErrorHandler(new JsonErrorHandler());
        env.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
        env.jersey().register(new CloseRefusedUploads());
        env.jersey().register(new UploadExceptionMapper(Map.of(TusResource.class, TusResource.ERRORS)));
        env.jersey().register(new DatabaseUnavailableMapper());
        env.jersey().register(new ResumablesResource(services.sequential(), services.wholeUploads(), services.completion(),
                services.clientSessions(), config.uploads()));
        env.jersey().register(new HttpMethodOverrideFilter(HttpMethodOverrideFilter.Source.HEADER));
        env.jersey().register(new TusVersionFilter());
        env.jersey().register(new TusResource(services.offsets(), services.clientSessions(), config.uploads()));
        env.jersey().register(new FlowResource(services.numbered(), services.ledger().clock()));
        env.servlets().addFilter("flow-answers", new AnswerDelivery())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/flow", "/flow/*");
        if (config.cors().enabled()) {
            env.getApplicationContext().insertHandler(Cors.handler(config.cors()));
        }

        UploadTotals totals = new UploadTotals(services.adminQueries(), services.ledger().clock(),
                Services.javaDuration(config.operations().stalledAfter()),
                env.lifecycle().scheduledExecutorService("upload-totals").build());
        env.lifecycle().manage(totals);
        metrics.publish(env, totals);
        env.jersey().register(new AdminResource(services.adminQueries(), services.clientSessions(), totals, services.audit(),
                services.ledger().clock()));
        env.jersey().register(new AuditVerifyResource(services.audit(), services.ledger().clock()));
        env.jersey().register(new UploadHistoryResource(services.adminQueries(), services.ledger().clock()));
        WebPages.register(env);

        AdminServlets.configure(env, config.adminPort());
        env.admin().addTask(new RecoverTask(services.recovery()));
        env.admin().addTask(new ExpireTask(services.expiry()));
        env.admin().addTask(new AuditVerifyTask(services.audit()));
        env.healthChecks().register("database", new DatabaseHealthCheck(services.jdbi()));
        env.healthChecks().register("storage",
                new StorageHealthCheck(services.store(), config.storage().minFreeSpace().toBytes()));
    }
}

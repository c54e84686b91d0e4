package io.uploads.health;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.metrics.servlets.AdminServlet;
import io.uploads.config.AdminPortConfig;

/**
 * The admin port's menu of servlets. Dropwizard mounts Dropwizard Metrics' {@link AdminServlet} at
 * {@code /*} of the admin context, and that servlet reads its switches from the context's init
 * parameters when it starts; nothing in Dropwizard's own configuration reaches them.
 */
public final class AdminServlets {

    private AdminServlets() {}

    /** Call from {@code Application.run}, before the server starts. */
    public static void configure(Environment env, AdminPortConfig config) {
        // off: /pprof (with any query) answers 404 and leaves the admin menu
        env.getAdminContext().setInitParameter(AdminServlet.CPU_PROFILE_ENABLED_PARAM_KEY,
                Boolean.toString(config.profiler()));
    }
}

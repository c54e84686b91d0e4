package io.uploads.config;

import io.dropwizard.util.Duration;

/**
 * What operators see (the `operations` section: Dropwizard itself owns `admin`).
 *
 * @param stalledAfter an open session idle longer than this counts as stalled in the totals and
 *        is marked on the dashboard
 */
public record OperationsConfig(Duration stalledAfter) {

    public static final Duration DEFAULT_STALLED_AFTER = Duration.hours(1);

    public OperationsConfig {
        stalledAfter = stalledAfter == null ? DEFAULT_STALLED_AFTER : stalledAfter;
    }
}

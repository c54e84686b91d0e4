package io.uploads.core;

import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Expires idle sessions on a schedule while the server runs. */
public final class ExpirySchedule implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(ExpirySchedule.class);

    private final UploadService uploads;
    private final ScheduledExecutorService executor;
    private final Duration interval;

    public ExpirySchedule(UploadService uploads, ScheduledExecutorService executor, Duration interval) {
        this.uploads = uploads;
        this.executor = executor;
        this.interval = interval;
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            uploads.expireIdleSessions();
        } catch (RuntimeException e) {
            // a failed sweep (database away) must not cancel the ones after it
            LOG.warn("Expiry sweep failed; trying again in {}", interval, e);
        }
    }
}

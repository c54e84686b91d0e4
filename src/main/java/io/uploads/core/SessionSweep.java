package io.uploads.core;

import io.dropwizard.lifecycle.Managed;
import io.uploads.auth.DenialLog;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While the server runs: expires idle sessions, and completes sessions that have held every byte
 * of their declared length for a while without being completed (their assembly could not finish
 * when the last bytes came: storage full, name taken under the reject policy). A tus client takes
 * such an upload for finished, so the server must finish it once it can. Also writes the counts of
 * refused authentications that {@link DenialLog} held back.
 */
public final class SessionSweep implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSweep.class);

    private final Expiry expiry;
    private final Completion completion;
    private final DenialLog denials;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Duration interval;

    public SessionSweep(Expiry expiry, Completion completion, DenialLog denials, Clock clock, ScheduledExecutorService executor,
                        Duration interval) {
        this.expiry = expiry;
        this.completion = completion;
        this.denials = denials;
        this.clock = clock;
        this.executor = executor;
        this.interval = interval;
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            expiry.expireIdleSessions();
            // a minute's distance keeps clear of the request that is completing its session right now
            completion.completeDueSessions(clock.instant().minus(interval));
            denials.flush();
        } catch (RuntimeException e) {
            // a failed sweep (database away) must not cancel the ones after it
            LOG.warn("Session sweep failed; trying again in {}", interval, e);
        }
    }
}

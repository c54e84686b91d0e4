package io.uploads.admin;

import io.dropwizard.lifecycle.Managed;
import io.uploads.admin.AdminViews.Count;
import io.uploads.admin.AdminViews.Totals;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.db.AdminQueries;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions and bytes by state and protocol. Counting them is a pass over the session table, far
 * too slow for a request at millions of sessions, so the figures are recomputed in the background
 * every {@link #REFRESH} and requests read the last result: at most that old, never waiting.
 */
public final class UploadTotals implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(UploadTotals.class);
    public static final Duration REFRESH = Duration.ofSeconds(10);

    private final AdminQueries queries;
    private final Clock clock;
    private final Duration stalledAfter;
    private final ScheduledExecutorService executor;
    private volatile Totals current;

    public UploadTotals(AdminQueries queries, Clock clock, Duration stalledAfter, ScheduledExecutorService executor) {
        this.queries = queries;
        this.clock = clock;
        this.stalledAfter = stalledAfter;
        this.executor = executor;
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::refreshQuietly, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latest figures; computed now only if none were yet. */
    public Totals current() {
        Totals t = current;
        return t != null ? t : refresh();
    }

    /** The latest figures, or null before the first pass has finished; never computes (metrics read this). */
    public @Nullable Totals cached() {
        return current;
    }

    public synchronized Totals refresh() {
        Map<String, long[]> byState = new LinkedHashMap<>();
        Map<String, long[]> byProtocol = new LinkedHashMap<>();
        for (SessionState s : SessionState.values()) {
            byState.put(s.name(), new long[2]);
        }
        for (Protocol p : Protocol.values()) {
            byProtocol.put(p.wireName(), new long[2]);
        }
        for (AdminQueries.Tally t : queries.tallies()) {
            add(byState.get(t.state().name()), t);
            add(byProtocol.get(t.protocol().wireName()), t);
        }
        long[] open = byState.get(SessionState.OPEN.name());
        AdminQueries.Stalled stalled = queries.stalled(clock.instant().minus(stalledAfter));
        Totals t = new Totals(counts(byState), counts(byProtocol), new Count(open[0], open[1]),
                new Count(stalled.sessions(), stalled.bytes()), stalledAfter.toString(), clock.instant().toString());
        current = t;
        return t;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("Could not recompute the upload totals; trying again in {}", REFRESH, e);
        }
    }

    private static void add(long[] sum, AdminQueries.Tally t) {
        sum[0] += t.sessions();
        sum[1] += t.bytes();
    }

    private static Map<String, Count> counts(Map<String, long[]> sums) {
        Map<String, Count> counts = new LinkedHashMap<>();
        sums.forEach((k, v) -> counts.put(k, new Count(v[0], v[1])));
        return counts;
    }
}

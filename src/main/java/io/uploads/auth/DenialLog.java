package io.uploads.auth;

import io.uploads.core.Actor;
import io.uploads.core.AuditEntry;
import io.uploads.core.AuditEvent;
import io.uploads.ledger.Ledger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records refused authentications in the audit trail without letting a flood of bad tokens grow
 * it without bound: the first refusal of an address for a reason is a row; repeats of the same
 * address and reason within the next minute are only counted, and the count is a row of its own
 * once that minute is over (written by the next refusal, or by the server's sweep). Past
 * {@link #MAX_TRACKED} addresses at once, further addresses share one count per reason.
 */
public final class DenialLog {

    private static final Logger LOG = LoggerFactory.getLogger(DenialLog.class);
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_TRACKED = 10_000;
    private static final String MANY = "(many addresses)";

    private record Key(String address, String reason) {}

    private record Window(Instant start, long repeats) {}

    private final Ledger ledger;
    private final Clock clock;
    private final Map<Key, Window> windows = new ConcurrentHashMap<>();

    public DenialLog(Ledger ledger) {
        this.ledger = ledger;
        this.clock = ledger.clock();
    }

    public void denied(@Nullable String address, String reason) {
        Instant now = clock.instant();
        Key key = new Key(address == null ? "unknown" : address, reason);
        if (!windows.containsKey(key) && windows.size() >= MAX_TRACKED) {
            key = new Key(MANY, reason);
        }
        Window[] ended = new Window[1];
        boolean[] first = new boolean[1];
        windows.compute(key, (k, w) -> {
            if (w != null && w.start().plus(WINDOW).isAfter(now)) {
                return new Window(w.start(), w.repeats() + 1);
            }
            ended[0] = w;
            first[0] = true;
            return new Window(now, 0);
        });
        if (ended[0] != null && ended[0].repeats() > 0) {
            write(key, repeatsDetail(key, ended[0]));
        }
        if (first[0]) {
            write(key, reason);
        }
    }

    /** Writes the counts of windows that are over; the server's sweep calls this every minute. */
    public void flush() {
        Instant now = clock.instant();
        List<Map.Entry<Key, Window>> over = new ArrayList<>();
        for (Map.Entry<Key, Window> e : windows.entrySet()) {
            if (!e.getValue().start().plus(WINDOW).isAfter(now)) {
                over.add(e);
            }
        }
        for (Map.Entry<Key, Window> e : over) {
            if (windows.remove(e.getKey(), e.getValue()) && e.getValue().repeats() > 0) {
                write(e.getKey(), repeatsDetail(e.getKey(), e.getValue()));
            }
        }
    }

    private static String repeatsDetail(Key key, Window w) {
        return w.repeats() + " more within a minute from " + w.start() + ": " + key.reason();
    }

    private void write(Key key, String detail) {
        try {
            ledger.record(AuditEntry.of(AuditEvent.AUTH_DENIED, new Actor("anonymous", key.address()),
                    clock.instant(), detail));
        } catch (RuntimeException e) {
            // the request is refused either way; a database away must not turn a 401 into a 500
            LOG.warn("Could not audit a refused authentication from {}: {}", key.address(), e.toString());
        }
    }
}

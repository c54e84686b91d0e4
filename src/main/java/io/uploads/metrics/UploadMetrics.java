package io.uploads.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.uploads.admin.AdminViews.Count;
import io.uploads.admin.AdminViews.Totals;
import io.uploads.admin.UploadTotals;
import io.uploads.core.AuditEntry;
import io.uploads.core.AuditEvent;
import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.ledger.Committed;
import io.uploads.ledger.LedgerEvents;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The service's own metrics, kept in the Dropwizard registry: the admin port shows them at
 * {@code /metrics} (JSON) and, through the Prometheus client's Dropwizard bridge, at
 * {@code /prometheus} (text format, names with {@code _} for {@code .} and {@code -}; the session
 * and refusal counters as two families with labels, see {@link LabelledCounters}). Session,
 * chunk, byte and audit counts are taken from the ledger after each commit, so a change that was
 * rolled back is never counted; the open-session gauges read {@link UploadTotals}' last background
 * pass, so a scrape never counts a table.
 */
public final class UploadMetrics implements LedgerEvents {

    /** The lifecycle events counted per protocol, as {@code uploads.sessions.<event>.<protocol>}. */
    static final Set<AuditEvent> SESSION_EVENTS = EnumSet.of(AuditEvent.SESSION_CREATED,
            AuditEvent.SESSION_COMPLETED, AuditEvent.SESSION_ABORTED, AuditEvent.SESSION_EXPIRED,
            AuditEvent.SESSION_FAILED);

    public static final String BYTES_RECEIVED = "uploads.bytes.received";
    public static final String CHUNKS_RECORDED = "uploads.chunks.recorded";
    public static final String AUDIT_ROWS = "uploads.audit.rows";
    public static final String COMPLETION = "uploads.completion";
    public static final String OPEN_SESSIONS = "uploads.open.sessions";
    public static final String OPEN_BYTES = "uploads.open.bytes";

    private final MetricRegistry registry;
    private final Counter bytesReceived;
    private final Counter chunksRecorded;
    private final Counter auditRows;
    private final Timer completion;
    /** By event code and protocol wire name; registered up front, so every series exists from 0. */
    private final Map<String, Counter> sessions = new HashMap<>();

    public UploadMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.bytesReceived = registry.counter(BYTES_RECEIVED);
        this.chunksRecorded = registry.counter(CHUNKS_RECORDED);
        this.auditRows = registry.counter(AUDIT_ROWS);
        this.completion = registry.timer(COMPLETION);
        for (AuditEvent event : SESSION_EVENTS) {
            for (Protocol protocol : Protocol.values()) {
                sessions.put(key(event.code(), protocol.wireName()), registry.counter(sessions(event, protocol)));
            }
        }
    }

    /** {@code uploads.sessions.created.resumables}, {@code uploads.sessions.failed.resumable-js}, ... */
    public static String sessions(AuditEvent event, Protocol protocol) {
        return MetricRegistry.name("uploads.sessions", event.code().substring("session_".length()),
                protocol.wireName());
    }

    /** {@code uploads.refusals.400}, ... */
    public static String refusals(int status) {
        return "uploads.refusals." + status;
    }

    @Override
    public void committed(Committed committed) {
        auditRows.inc(committed.audit().size());
        for (AuditEntry entry : committed.audit()) {
            Counter counter = sessions.get(key(entry.event(), entry.protocol()));
            if (counter != null) {
                counter.inc();
            }
        }
        chunksRecorded.inc(committed.chunks().size());
        bytesReceived.inc(committed.chunks().stream().mapToLong(Chunk::sizeBytes).sum());
        if (committed.assembly() != null) {
            completion.update(committed.assembly());
        }
    }

    /** An answer of the application with a 4xx or 5xx status. */
    void refused(int status) {
        registry.counter(refusals(status)).inc();
    }

    /** Open sessions and the bytes they hold, as {@code totals} last computed them; absent before that. */
    void watch(UploadTotals totals) {
        registry.register(OPEN_SESSIONS, (Gauge<Long>) () -> open(totals, Count::sessions));
        registry.register(OPEN_BYTES, (Gauge<Long>) () -> open(totals, Count::bytes));
    }

    /**
     * Everything the running server adds: the gauges over {@code totals}, counting the refusals of
     * the application's resources, and the Prometheus text at {@code /prometheus} of the admin port.
     */
    public void publish(Environment env, UploadTotals totals) {
        watch(totals);
        env.jersey().register(new RefusalCounter(this));
        // a registry of this server's own (not the JVM-wide default): the test suite runs several servers in one JVM
        PrometheusRegistry prometheus = new PrometheusRegistry();
        LabelledCounters sessions = new LabelledCounters(env.metrics(), "uploads.sessions",
                "upload sessions that reached a lifecycle event, by event and protocol", "event", "protocol");
        LabelledCounters refusals = new LabelledCounters(env.metrics(), "uploads.refusals",
                "answers of the application port with a 4xx or 5xx status, by status", "status");
        prometheus.register(sessions);
        prometheus.register(refusals);
        prometheus.register(new DropwizardExports(env.metrics(),
                (name, metric) -> !sessions.shows(name) && !refusals.shows(name)));
        env.admin().addServlet("prometheus", new PrometheusMetricsServlet(prometheus)).addMapping("/prometheus");
    }

    private static @Nullable Long open(UploadTotals totals, ToLongFunction<Count> what) {
        Totals cached = totals.cached();
        return cached == null ? null : what.applyAsLong(cached.open());
    }

    private static String key(String eventCode, @Nullable String protocol) {
        return eventCode + " " + protocol;
    }
}

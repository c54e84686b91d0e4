package io.uploads.metrics;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;

/**
 * Dropwizard counters named {@code <prefix>.<value>...} shown to Prometheus as one counter family,
 * the parts after the prefix as its labels: {@code uploads.sessions.created.tus} becomes
 * {@code uploads_sessions_total{event="created",protocol="tus"}}, so a query can sum and group by
 * them. The Prometheus client's Dropwizard bridge can name labels too, but it refuses to put two
 * Dropwizard metrics into one family.
 */
final class LabelledCounters implements MultiCollector {

    private final MetricRegistry registry;
    private final String prefix;
    private final String help;
    private final List<String> labelNames;

    LabelledCounters(MetricRegistry registry, String prefix, String help, String... labelNames) {
        this.registry = registry;
        this.prefix = prefix + ".";
        this.help = help;
        this.labelNames = List.of(labelNames);
    }

    /** Whether this family shows the Dropwizard metric {@code name} (so the bridge must not). */
    boolean shows(String name) {
        return name.startsWith(prefix);
    }

    @Override
    public MetricSnapshots collect() {
        CounterSnapshot.Builder family = CounterSnapshot.builder()
                .name(prefix.substring(0, prefix.length() - 1).replace('.', '_'))
                .help(help);
        registry.getCounters((name, metric) -> shows(name)).forEach((name, counter) -> {
            String[] values = name.substring(prefix.length()).split("\\.");
            if (values.length == labelNames.size()) {
                family.dataPoint(CounterDataPointSnapshot.builder()
                        .labels(Labels.of(labelNames, List.of(values)))
                        .value(counter.getCount())
                        .build());
            }
        });
        return MetricSnapshots.of(family.build());
    }
}

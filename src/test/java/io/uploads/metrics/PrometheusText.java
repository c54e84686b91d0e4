package io.uploads.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The samples of a Prometheus text exposition, by series ({@code name} or {@code name{labels}}
 * exactly as written). The client library writes this format but has no reader for it; these
 * few lines read what a scraper reads: comment lines skipped, then {@code series value [timestamp]}.
 */
record PrometheusText(Map<String, Double> samples) {

    static PrometheusText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            // label values may hold spaces, so the series ends at its closing brace when it has labels
            int end = line.indexOf('{') >= 0 && line.indexOf('{') < line.indexOf(' ')
                    ? line.lastIndexOf('}') + 1 : line.indexOf(' ');
            String value = line.substring(end).trim().split(" ")[0];
            samples.put(line.substring(0, end), Double.parseDouble(value));
        }
        return new PrometheusText(samples);
    }

    /** The sample's value; a series that is not there counts as 0, as a counter not yet incremented would. */
    double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    boolean has(String series) {
        return samples.containsKey(series);
    }
}

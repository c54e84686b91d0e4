package io.uploads.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Await;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The admin port's metrics of uploads, read as a monitoring system reads them: Prometheus text at
 * {@code /prometheus} and Dropwizard's JSON at {@code /metrics}, around uploads through real HTTP.
 */
abstract class MetricsTest extends AppTestBase {

    @Test
    void aNativeUploadAdvancesItsCountersInThePrometheusText() {
        String token = app.token("mia", "mia-group");
        PrometheusText before = scrape();

        String id = http.patch("/files/stream/counted.bin?chunk=1", token, bytes(3000)).text("id");
        assertThat(http.patch("/files/stream/counted.bin?chunk=2&id=" + id, token, bytes(2000)).status()).isEqualTo(201);
        Reply end = http.patch("/files/stream/counted.bin?chunk=end&id=" + id, token, new byte[0]);
        assertThat(end.text("state")).isEqualTo("COMPLETED");
        assertThat(http.patch("/files/stream/refused.bin?chunk=0", token, bytes(10)).status()).isEqualTo(400);
        PrometheusText after = scrape();

        assertThat(delta(before, after, sessions("created", "resumables"))).isEqualTo(1);
        assertThat(delta(before, after, sessions("completed", "resumables"))).isEqualTo(1);
        assertThat(delta(before, after, "uploads_bytes_received_total")).isEqualTo(5000);
        assertThat(delta(before, after, "uploads_chunks_recorded_total")).isEqualTo(2);
        assertThat(delta(before, after, "uploads_refusals_total{status=\"400\"}")).isEqualTo(1);
        assertThat(delta(before, after, "uploads_completion_count")).isEqualTo(1);
        // session_created, session_assembling, session_completed
        assertThat(delta(before, after, "uploads_audit_rows_total")).isEqualTo(3);
        assertThat(delta(before, after, sessions("created", "tus"))).as("another protocol's count").isZero();
        assertThat(after.has(sessions("failed", "resumable-js"))).as("every series exists from the start").isTrue();
        assertThat(after.samples().keySet()).as("one family, with labels, not a name per event and protocol")
                .noneMatch(series -> series.startsWith("uploads_sessions_created"));
    }

    @Test
    void theMetricsJsonHoldsTheSameCountersAsThePrometheusText() {
        String token = app.token("jo", "jo-group");
        String id = http.patch("/files/stream/both.bin?chunk=1", token, bytes(700)).text("id");
        http.patch("/files/stream/both.bin?chunk=end&id=" + id, token, new byte[0]);
        assertThat(http.patch("/files/stream/both.bin?chunk=1", null, bytes(10)).status()).as("no token").isEqualTo(401);

        JsonNode json = admin().get("/metrics", null).json();
        PrometheusText text = scrape();

        JsonNode counters = json.get("counters");
        assertThat(count(counters, "uploads.sessions.created.resumables")).isPositive();
        assertThat(count(counters, "uploads.sessions.completed.resumables")).isPositive();
        assertThat(count(counters, "uploads.bytes.received")).isGreaterThanOrEqualTo(700);
        assertThat(count(counters, "uploads.chunks.recorded")).isPositive();
        assertThat(count(counters, "uploads.audit.rows")).isPositive();
        assertThat(count(counters, "uploads.refusals.401")).isPositive();
        assertThat(count(json.get("timers"), "uploads.completion")).isPositive();
        assertThat(json.get("gauges").has("uploads.open.sessions")).isTrue();
        assertThat(json.get("gauges").has("uploads.open.bytes")).isTrue();
        List<String> ours = new ArrayList<>();
        counters.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("uploads.")) {
                ours.add(name);
                assertThat(text.value(prometheusSeries(name))).as(name)
                        .isEqualTo(counters.get(name).get("count").asDouble());
            }
        });
        assertThat(ours).hasSizeGreaterThanOrEqualTo(4 * 5 + 4);
        assertThat(text.value("uploads_completion_count")).isEqualTo(json.get("timers").get("uploads.completion")
                .get("count").asDouble());
    }

    @Test
    void openSessionsAndTheirBytesAreGaugedFromTheBackgroundTotals() throws InterruptedException {
        String token = app.token("gus", "gus-group");
        http.patch("/files/stream/left-open.bin?chunk=1", token, bytes(1234));
        long[] truth = app.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) AS n, COALESCE(SUM(received_bytes), 0) AS b FROM upload_session WHERE state = 'OPEN'")
                .map((rs, ctx) -> new long[] {rs.getLong("n"), rs.getLong("b")}).one());
        assertThat(truth[0]).isPositive();

        // the totals are recomputed every 10 seconds; a scrape only reads the last result
        Await.until("the gauges to show the open session", () -> {
            PrometheusText text = scrape();
            return text.value("uploads_open_sessions") == truth[0] && text.value("uploads_open_bytes") == truth[1];
        });
        JsonNode gauges = admin().get("/metrics", null).json().get("gauges");
        assertThat(gauges.get("uploads.open.sessions").get("value").asLong()).isEqualTo(truth[0]);
        assertThat(gauges.get("uploads.open.bytes").get("value").asLong()).isEqualTo(truth[1]);
    }

    private PrometheusText scrape() {
        Reply reply = admin().get("/prometheus", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.headers().get("content-type")).anySatisfy(type -> assertThat(type).startsWith("text/plain"));
        return PrometheusText.parse(reply.body());
    }

    private static long count(JsonNode section, String name) {
        assertThat(section.has(name)).as("%s in /metrics", name).isTrue();
        return section.get(name).get("count").asLong();
    }

    private Http admin() {
        return new Http(app.adminUrl());
    }

    private static double delta(PrometheusText before, PrometheusText after, String series) {
        return after.value(series) - before.value(series);
    }

    private static String sessions(String event, String protocol) {
        return "uploads_sessions_total{event=\"" + event + "\",protocol=\"" + protocol + "\"}";
    }

    /**
     * The series of a Dropwizard counter: the session and refusal counters are labels of one family
     * each; for the others, the bridge's renaming (what is not a letter, digit or underscore becomes
     * an underscore).
     */
    private static String prometheusSeries(String dropwizardName) {
        String[] parts = dropwizardName.split("\\.");
        if (dropwizardName.startsWith("uploads.sessions.")) {
            return sessions(parts[2], parts[3]);
        }
        if (dropwizardName.startsWith("uploads.refusals.")) {
            return "uploads_refusals_total{status=\"" + parts[2] + "\"}";
        }
        return dropwizardName.replaceAll("[^a-zA-Z0-9_]", "_") + "_total";
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}

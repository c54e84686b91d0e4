package io.uploads.protocols;

import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.Http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: the limit on open sessions per principal counts every protocol's sessions, and each
 * protocol refuses the session past it with 429, keeping nothing of the refused request.
 */
abstract class SessionLimitTest extends AppTestBase {

    private static final int LIMIT = 2;

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {ConfigOverride.config("uploads.maxOpenSessionsPerPrincipal", String.valueOf(LIMIT))};
    }

    @Test
    void everyProtocolCountsAgainstOneLimit() {
        String token = app.token("limited", "limited-group");
        FlowStyleClient flow = new FlowStyleClient(app.baseUrl(), token);
        assertThat(http.patch("/files/stream/native.bin?chunk=1", token, randomBytes(10, 1)).status()).isEqualTo(201);
        assertThat(flow.send(FlowFile.of("flow.bin", randomBytes(30, 2), 10), 1).status()).isEqualTo(200);

        Reply tus = createTus(token, "tus.bin");
        Reply secondFlow = flow.send(FlowFile.of("flow-2.bin", randomBytes(30, 3), 10), 1);
        Reply secondNative = http.patch("/files/stream/native-2.bin?chunk=1", token, randomBytes(10, 4));

        assertThat(tus.status()).as(tus.body()).isEqualTo(429);
        assertThat(tus.headers()).containsKey("tus-resumable");
        assertThat(secondFlow.status()).as(secondFlow.body()).isEqualTo(429);
        assertThat(secondFlow.text("error")).isEqualTo("too_many_sessions");
        assertThat(secondNative.status()).isEqualTo(429);
        assertThat(openSessions("limited")).isEqualTo(LIMIT);
        assertThat(app.storageFixture().sessionsHeld()).as("sessions with bytes in the store").hasSize(LIMIT);
    }

    @Test
    void finishingASessionMakesRoomForTheNext() {
        String token = app.token("room", "room-group");
        assertThat(createTus(token, "one.bin").status()).isEqualTo(201);
        Reply second = createTus(token, "two.bin");
        assertThat(createTus(token, "three.bin").status()).isEqualTo(429);

        String location = second.headers().get("location").get(0);
        Reply terminated = http.send("DELETE", location.substring(app.baseUrl().length()), token,
                BodyPublishers.noBody(), Map.of("Tus-Resumable", "1.0.0"));

        assertThat(terminated.status()).isEqualTo(204);
        assertThat(createTus(token, "three.bin").status()).isEqualTo(201);
    }

    /** The principal's token rows are locked while its sessions are counted and one is added. */
    @Test
    void sessionsStartedAtTheSameInstantNeverExceedTheLimit() throws Exception {
        String token = app.token("racing", "racing-group");
        FlowStyleClient flow = new FlowStyleClient(app.baseUrl(), token);
        int attempts = 8;
        CyclicBarrier start = new CyclicBarrier(attempts);
        ExecutorService threads = Executors.newFixedThreadPool(attempts);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                int n = i;
                statuses.add(threads.submit(() -> {
                    start.await();
                    return n % 2 == 0
                            ? createTus(token, "race-" + n + ".bin").status()
                            : flow.send(FlowFile.of("race-" + n + ".bin", randomBytes(30, n), 10), 1).status();
                }));
            }
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get(60, TimeUnit.SECONDS));
            }
            assertThat(answered).filteredOn(status -> status == 429).hasSize(attempts - LIMIT);
        } finally {
            threads.shutdownNow();
        }
        assertThat(openSessions("racing")).isEqualTo(LIMIT);
    }

    private Reply createTus(String token, String filename) {
        String metadata = "filename " + Base64.getEncoder().encodeToString(filename.getBytes(StandardCharsets.UTF_8));
        return http.send("POST", "/files/tus", token, BodyPublishers.noBody(),
                Map.of("Tus-Resumable", "1.0.0", "Upload-Length", "100", "Upload-Metadata", metadata));
    }

    private int openSessions(String owner) {
        return app.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM upload_session WHERE owner = :owner AND state = 'OPEN'")
                .bind("owner", owner).mapTo(Integer.class).one());
    }
}

package io.uploads.protocols.flow;

import static io.uploads.protocols.flow.FlowAssertions.assertCompleted;
import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Protocol;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.Http.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §4.2: "three 'first' chunks racing must create exactly one session", and assembly happens
 * exactly once. flow.js starts three chunks of a new file at once, so the first three chunks of
 * each new identifier are released together from a barrier, many times over.
 */
abstract class FlowRaceTest extends AppTestBase {

    private static final int IDENTIFIERS = 30;
    private static final int RACERS = FlowStyleClient.SIMULTANEOUS_UPLOADS;
    private static final int CHUNK = 16 * 1024;

    private ExecutorService threads;

    @BeforeAll
    void startThreads() {
        threads = Executors.newFixedThreadPool(RACERS);
    }

    @AfterAll
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(1, TimeUnit.MINUTES);
    }

    /** With three chunks the race to create the session is also the race to complete it. */
    @ParameterizedTest(name = "{0} chunks")
    @ValueSource(ints = {3, 5})
    void firstThreeChunksAtTheSameInstantMakeOneSessionAndOneFile(int totalChunks) throws Exception {
        String owner = "racer-" + totalChunks;
        String group = owner + "-group";
        FlowStyleClient client = new FlowStyleClient(app.baseUrl(), app.token(owner, group));

        for (int i = 0; i < IDENTIFIERS; i++) {
            FlowFile file = FlowFile.of("race-" + i + ".bin", randomBytes(totalChunks * CHUNK + i, i), CHUNK);
            assertThat(file.totalChunks()).isEqualTo(totalChunks);

            List<Reply> raced = race(client, file, List.of(1, 2, 3));
            List<Reply> rest = file.chunkNumbers().subList(RACERS, totalChunks).stream()
                    .map(n -> client.send(file, n))
                    .toList();

            List<Reply> all = new ArrayList<>(raced);
            all.addAll(rest);
            assertThat(all).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
            assertThat(raced).extracting(r -> r.text("id")).as("sessions the racing chunks went to")
                    .containsOnly(raced.get(0).text("id"));
            assertCompleted(app, owner, file, group, Protocol.FLOW);
            assertThat(all).filteredOn(r -> r.text("path") != null).as("answers that completed the upload").hasSize(1);
        }
        assertThat(app.storageFixture().sessionsHeld()).as("sessions whose chunk bytes are left in the store").isEmpty();
    }

    /** Sends the chunks from one thread each, all released by a barrier at the same instant. */
    private List<Reply> race(FlowStyleClient client, FlowFile file, List<Integer> chunks) throws Exception {
        CyclicBarrier start = new CyclicBarrier(chunks.size());
        List<Future<Reply>> sent = new ArrayList<>();
        for (int n : chunks) {
            sent.add(threads.submit(() -> {
                start.await(1, TimeUnit.MINUTES);
                return client.send(file, n);
            }));
        }
        List<Reply> replies = new ArrayList<>();
        for (Future<Reply> reply : sent) {
            replies.add(reply.get(5, TimeUnit.MINUTES));
        }
        return replies;
    }
}

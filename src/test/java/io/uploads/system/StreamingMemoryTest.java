package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestFiles;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §9: request bodies are streamed to disk, never held in the heap. A server in its own JVM
 * with a 128 MiB heap takes a single 512 MiB chunk and completes it byte-identical.
 */
class StreamingMemoryTest {

    private static final long MIB = 1 << 20;
    private static final long FILE_SIZE = 512 * MIB;
    private static final long HEAP = 128 * MIB;

    @TempDir
    Path tmp;

    @Test
    void aChunkFourTimesTheHeapIsStreamedToDiskAndAssembled() throws Exception {
        Path source = TestFiles.randomFile(tmp.resolve("big.bin"), FILE_SIZE, 512);
        Path storage = tmp.resolve("storage");
        Map<String, String> env = Map.of(
                "DATABASE_URL", "jdbc:h2:" + tmp.resolve("db") + ";AUTO_SERVER=TRUE",
                "DATABASE_USER", "sa",
                "STORAGE_DIR", storage.toString(),
                "STORAGE_MIN_FREE_SPACE", "1MiB");

        try (SeparateJvm.Server server = SeparateJvm.Server.start(List.of("-Xmx128m"), env, tmp.resolve("server.log"))) {
            assertThat(maxHeap(server)).as("the server's heap limit").isPositive().isLessThanOrEqualTo(HEAP);
            String token = SeparateJvm.command(env, "token-create", "--principal", "big", "--groups", "big-group")
                    .lastLine();
            Http http = server.http();

            Reply first = http.send("PATCH", "/files/stream/big.bin?chunk=1", token, BodyPublishers.ofFile(source),
                    Map.of());
            assertThat(first.status()).as(first.body()).isEqualTo(201);
            assertThat(first.json().get("next_offset").asLong()).isEqualTo(FILE_SIZE);
            Reply end = http.patch("/files/stream/big.bin?chunk=end&id=" + first.text("id"), token, new byte[0]);

            String sha256 = TestFiles.sha256(source);
            assertThat(end.status()).as(end.body()).isEqualTo(201);
            assertThat(end.text("sha256")).isEqualTo(sha256);
            assertThat(TestFiles.sha256(storage.resolve(end.text("path")))).isEqualTo(sha256);
            assertThat(server.isAlive()).isTrue();
            assertThat(server.log()).doesNotContain("OutOfMemoryError");
        }
    }

    /** What the server's JVM reports as its maximum heap, through Dropwizard's admin metrics. */
    private static long maxHeap(SeparateJvm.Server server) {
        Reply metrics = server.admin().get("/metrics", null);
        assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
        return metrics.json().path("gauges").path("jvm.memory.heap.max").path("value").asLong();
    }
}

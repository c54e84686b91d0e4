package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestFiles;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §9: request bodies are streamed to disk, never held in the heap. A server in its own JVM
 * with a 128 MiB heap takes a single 512 MiB chunk (native) and a single 512 MiB PATCH (tus) and
 * completes both byte-identical. ({@code bench/run.sh} does 4 GiB through every protocol.)
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

            // tus: one PATCH of the whole file
            Reply created = http.send("POST", "/files/tus", token, BodyPublishers.noBody(), Map.of(
                    "Tus-Resumable", "1.0.0", "Upload-Length", String.valueOf(FILE_SIZE),
                    "Upload-Metadata", "filename " + Base64.getEncoder().encodeToString("big-tus.bin".getBytes(StandardCharsets.UTF_8))));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String location = created.headers().get("Location").get(0);
            Reply patched = http.send("PATCH", "/files/tus/" + location.substring(location.lastIndexOf('/') + 1), token,
                    BodyPublishers.ofFile(source), Map.of("Tus-Resumable", "1.0.0", "Upload-Offset", "0",
                            "Content-Type", "application/offset+octet-stream"));
            assertThat(patched.status()).as(patched.body()).isEqualTo(204);
            assertThat(TestFiles.sha256(storage.resolve("files/big-group/big-tus.bin"))).isEqualTo(sha256);
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

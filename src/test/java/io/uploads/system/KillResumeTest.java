package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestFiles;
import io.uploads.testing.TsdStyleClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7: the server is killed with SIGKILL while chunks stream in, several times, and while it
 * completes the file. After each restart the resume query agrees with the bytes on disk (the
 * client checks the md5 of what the service says it holds), and the finished file is
 * byte-identical to the source. Where each kill lands is left to chance; what must hold after it
 * does not depend on where.
 */
abstract class KillResumeTest extends KillResumeBase {

    @Test
    void killedWhileChunksStreamInTheUploadResumesToAByteIdenticalFile() throws Exception {
        Path source = TestFiles.randomFile(tmp.resolve("source.bin"), 64L * MIB, 7);

        for (int kill = 1; kill <= 3; kill++) {
            try (SeparateJvm.Server server = start()) {
                TsdStyleClient client = client(server, source, "crash.bin");
                if (kill > 1) {
                    client.resume();    // fails unless md5sum matches the local bytes the service claims to hold
                }
                long killAfter = client.nextOffset() + 8L * MIB;
                CompletableFuture<Reply> sending = CompletableFuture.supplyAsync(client::sendRemaining);
                awaitServerHolds(server, "crash.bin", killAfter, sending);
                server.kill();
                sending.handle((reply, failure) -> null).get();
            }
        }

        try (SeparateJvm.Server server = start()) {
            TsdStyleClient client = client(server, source, "crash.bin");
            client.resume();
            client.sendRemaining();
            Reply end = client.end();

            assertThat(end.status()).as(end.body()).isEqualTo(201);
            assertFinishedByteIdentical(end, source);
        }
    }

    @Test
    void killedWhileCompletingTheFileIsFinishedAfterTheRestart() throws Exception {
        Path source = TestFiles.randomFile(tmp.resolve("source.bin"), 48L * MIB, 8);
        try (SeparateJvm.Server server = start()) {
            TsdStyleClient client = client(server, source, "ending.bin");
            client.sendRemaining();
            CompletableFuture<Reply> ending = CompletableFuture.supplyAsync(client::end);
            Thread.sleep(50);    // somewhere inside assembly, or before, or after: any of them must be survivable
            server.kill();
            ending.handle((reply, failure) -> null).get();
        }

        try (SeparateJvm.Server server = start()) {
            TsdStyleClient client = client(server, source, "ending.bin");
            String id = client.resumable().text("id");
            Reply end = id != null ? resumeAndEnd(client) : endById(server, findOnlySession());

            assertThat(end.status()).as(end.body()).isEqualTo(201);
            assertFinishedByteIdentical(end, source);
        }
    }

    private Reply resumeAndEnd(TsdStyleClient client) {
        client.resume();
        client.sendRemaining();
        return client.end();
    }

    /** The session was completed (or completed again by recovery at start-up): {@code end} answers the same. */
    private Reply endById(SeparateJvm.Server server, String id) {
        return server.http().send("PATCH", "/files/stream/ending.bin?chunk=end&id=" + id, token,
                java.net.http.HttpRequest.BodyPublishers.noBody(), Map.of());
    }

    private String findOnlySession() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM upload_session WHERE owner = 'kim'")
                .mapTo(String.class).one());
    }

    private void assertFinishedByteIdentical(Reply end, Path source) throws IOException {
        String sha256 = TestFiles.sha256(source);
        assertThat(end.text("sha256")).isEqualTo(sha256);
        assertThat(TestFiles.sha256(storage().resolve(end.text("path")))).isEqualTo(sha256);
        assertThat(storageFixture().contentsOfAllSessions()).as("bytes left behind").isEmpty();
    }

    private TsdStyleClient client(SeparateJvm.Server server, Path source, String filename) {
        return new TsdStyleClient(server.http(), token, GROUP, source, filename, MIB);
    }
}

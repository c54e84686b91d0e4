package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.auth.TokenRecord;
import io.uploads.core.Chunk;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import io.uploads.testing.TsdStyleClient;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5, §7: the service stops and starts again over the same database and storage; uploads
 * resume, tokens keep working, and a chunk whose bytes vanished while it was down is asked for again.
 */
abstract class RestartResumeTest extends AppTestBase {

    private static final int MIB = 1 << 20;
    private static final long FILE_SIZE = 10L * MIB;
    private static final int CHUNK_SIZE = MIB;
    private static final String GROUP = "alice-group";

    private Path source;
    private String token;

    @BeforeAll
    void createSourceAndToken() throws IOException {
        source = TestFiles.randomFile(tmp.resolve("source.bin"), FILE_SIZE, 10);
        token = app.token("alice", GROUP);
    }

    @Test
    void anUploadStartedBeforeARestartIsResumedAfterIt() throws IOException {
        TsdStyleClient before = client("restart.bin");
        before.sendChunks(4);

        restart();

        TsdStyleClient after = client("restart.bin");
        Reply info = after.resume();
        assertThat(info.text("id")).isEqualTo(before.id());
        assertThat(info.json().get("next_offset").asLong()).isEqualTo(4L * CHUNK_SIZE);
        after.sendRemaining();
        UploadAssertions.assertCompletedIntact(app, after.end(), source);
    }

    @Test
    void tokensIssuedBeforeARestartStillWorkAndNoSecondAdminTokenAppears() {
        String issuedBefore = app.token("carol", "carol-group");
        assertThat(http.get("/files/resumables", issuedBefore).status()).isEqualTo(200);

        restart();

        assertThat(http.get("/files/resumables", issuedBefore).status()).isEqualTo(200);
        assertThat(app.tokens().list()).filteredOn(t -> t.principal().equals("admin"))
                .extracting(TokenRecord::jti).hasSize(1);
    }

    @Test
    void aLastChunkWhoseFileVanishedWhileTheServiceWasDownIsSentAgain() throws IOException {
        TsdStyleClient before = client("crash.bin");
        before.sendChunks(5);
        String id = before.id();
        long fifthStarts = app.chunks(id).get(4).chunkOffset();
        assertThat(app.storageFixture().bytesHeld(id)).isGreaterThan(fifthStarts);

        app.stop();
        try {
            app.storageFixture().cutTo(id, fifthStarts);    // the last write lost, as a disk that lied about fsync can leave
        } finally {
            app.start();
            http = app.http();
        }

        Reply info = client("crash.bin").resumable();
        assertThat(info.status()).as(info.body()).isEqualTo(200);
        assertThat(info.text("id")).isEqualTo(id);
        assertThat(info.json().get("max_chunk").asInt()).isEqualTo(4);
        assertThat(info.json().get("previous_offset").asLong()).isEqualTo(3L * CHUNK_SIZE);
        assertThat(info.json().get("next_offset").asLong()).isEqualTo(4L * CHUNK_SIZE);
        assertThat(app.chunks(id)).extracting(Chunk::chunkNumber).containsExactly(1, 2, 3, 4);

        TsdStyleClient after = client("crash.bin");
        after.resume();
        after.sendRemaining();
        UploadAssertions.assertCompletedIntact(app, after.end(), source);
    }

    /** The service comes back on new ports; the client reconnects. */
    private void restart() {
        app.restart();
        http = app.http();
    }

    private TsdStyleClient client(String filename) {
        return new TsdStyleClient(http, token, GROUP, source, filename, CHUNK_SIZE);
    }
}

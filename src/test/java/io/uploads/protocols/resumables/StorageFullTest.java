package io.uploads.protocols.resumables;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.core.Chunk;
import io.uploads.core.UploadSession;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestDatabase;
import io.uploads.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §8: when storage is full, chunks and completion answer 507 and the session stays exactly as
 * it was; once space is back the upload finishes. "Full" is the service's own threshold, raised
 * past the disk's size by restarting over the same database and storage.
 */
abstract class StorageFullTest {

    private static final ConfigOverride FULL = ConfigOverride.config("storage.minFreeSpace", "1000000TiB");

    protected abstract TestDatabase.Kind databaseKind();

    private Path tmp;
    private TestDatabase database;

    @BeforeEach
    void createDatabase() throws IOException {
        tmp = Files.createTempDirectory("uploads-full-");
        database = TestDatabase.create(databaseKind(), tmp);
    }

    @AfterEach
    void dropDatabase() {
        database.close();
        TestFiles.deleteRecursively(tmp);
    }

    @Test
    void aFullDiskRefusesChunksAndCompletionAndKeepsTheSession() {
        byte[] file = new byte[300_000];
        new Random(7).nextBytes(file);
        String token;
        String id;
        try (TestApp roomy = new TestApp(database, tmp.resolve("storage"))) {
            roomy.start();
            token = roomy.token("dora", "dora-group");
            id = roomy.http().patch("/files/stream/full.bin?chunk=1", token, Arrays.copyOfRange(file, 0, 100_000)).text("id");
            roomy.http().patch("/files/stream/full.bin?chunk=2&id=" + id, token, Arrays.copyOfRange(file, 100_000, 200_000));
        }
        TestApp full = new TestApp(database, tmp.resolve("storage"), FULL);
        full.start();
        UploadSession before = full.session(id).orElseThrow();
        List<Chunk> chunksBefore = full.chunks(id);
        try {
            Http http = full.http();
            Reply refused = http.patch("/files/stream/full.bin?chunk=3&id=" + id, token, Arrays.copyOfRange(file, 200_000, 300_000));
            Reply end = http.patch("/files/stream/full.bin?chunk=end&id=" + id, token, new byte[0]);

            assertThat(refused.status()).isEqualTo(507);
            assertThat(refused.json().get("code").asInt()).isEqualTo(507);
            assertThat(refused.text("error")).isEqualTo("storage_full");
            assertThat(end.status()).isEqualTo(507);
            assertThat(full.session(id)).contains(before);
            assertThat(full.chunks(id)).isEqualTo(chunksBefore);
        } finally {
            full.stop();
        }
        try (TestApp roomyAgain = new TestApp(database, tmp.resolve("storage"))) {
            roomyAgain.start();
            Http http = roomyAgain.http();
            assertThat(http.patch("/files/stream/full.bin?chunk=3&id=" + id, token, Arrays.copyOfRange(file, 200_000, 300_000)).status())
                    .isEqualTo(201);
            Reply done = http.patch("/files/stream/full.bin?chunk=end&id=" + id, token, new byte[0]);
            assertThat(done.status()).isEqualTo(201);
            assertThat(done.text("sha256")).isEqualTo(TestFiles.sha256(file));
        }
    }
}

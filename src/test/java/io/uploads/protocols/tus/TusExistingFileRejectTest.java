package io.uploads.protocols.tus;

import static io.uploads.protocols.tus.TusTesting.header;
import static io.uploads.protocols.tus.TusTesting.headers;
import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.core.SessionState;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Under {@code onExistingFile: reject} a taken name is refused when the upload is created. A
 * name taken later, while the upload runs, makes its completion fail: the upload holds every byte, and its client, seeing the offset at the
 * length, takes it for finished. The server finishes it once it can: the sweep every minute, or
 * recovery on demand, which this test uses so as not to wait.
 */
abstract class TusExistingFileRejectTest extends AppTestBase {

    private static final String GROUP = "tus-reject-group";

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {ConfigOverride.config("uploads.onExistingFile", "reject")};
    }

    @Test
    void anUploadWhoseCompletionWasRefusedIsCompletedByTheServerOnceItCan() throws Exception {
        String token = app.token("tus-reject", GROUP);
        byte[] file = randomBytes(5_000, 41);
        Reply created = create(token, "taken.bin", file.length);
        String path = TusTesting.CREATION_PATH + "/" + TusTesting.idOf(header(created, "Location"));
        Path taken = Files.createDirectories(app.storage().resolve("files").resolve(GROUP)).resolve("taken.bin");
        Files.write(taken, new byte[] {7});    // someone else's file arrives while the upload runs

        Reply last = http.send("PATCH", path, token, BodyPublishers.ofByteArray(file), headers(
                "Tus-Resumable", "1.0.0", "Upload-Offset", "0", "Content-Type", TusTesting.OFFSET_OCTET_STREAM));

        assertThat(last.status()).as(last.body()).isEqualTo(409);
        Reply head = http.send("HEAD", path, token, BodyPublishers.noBody(), headers("Tus-Resumable", "1.0.0"));
        assertThat(header(head, "Upload-Offset")).isEqualTo(String.valueOf(file.length));
        String id = TusTesting.idOf(path);
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.OPEN);
        // due for an hour: the task, run beside running uploads, leaves younger ones to the sweep
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET completion_due_at = :then WHERE id = :id")
                .bind("id", id).bind("then", Instant.now().minusSeconds(3600)).execute());
        assertThat(recoverNow().status()).isEqualTo(200);
        assertThat(app.session(id).orElseThrow().state()).as("the name is still taken").isEqualTo(SessionState.OPEN);

        Files.delete(taken);    // the operator moves the old file away
        assertThat(recoverNow().status()).isEqualTo(200);

        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readAllBytes(taken)).isEqualTo(file);
        assertThat(app.session(id).orElseThrow().sha256()).isEqualTo(TestFiles.sha256(file));
    }

    @Test
    void creatingAnUploadOfATakenNameIsRefusedAtOnce() throws Exception {
        String token = app.token("tus-reject-early", GROUP);
        Path taken = Files.createDirectories(app.storage().resolve("files").resolve(GROUP)).resolve("early.bin");
        Files.write(taken, new byte[] {8});

        Reply refused = create(token, "early.bin", 10);

        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.text("error")).isEqualTo("file_exists");
        assertThat(header(refused, "Location")).isNull();
        int sessions = app.jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM upload_session WHERE owner = 'tus-reject-early'").mapTo(Integer.class).one());
        assertThat(sessions).isZero();
    }

    private Reply create(String token, String filename, long length) {
        return http.send("POST", TusTesting.CREATION_PATH, token, BodyPublishers.noBody(), headers(
                "Tus-Resumable", "1.0.0", "Upload-Length", String.valueOf(length),
                "Upload-Metadata", TusTesting.metadataPair("filename", filename)));
    }

    private Reply recoverNow() {
        return new Http(app.adminUrl()).send("POST", "/tasks/recover", null, BodyPublishers.noBody(), Map.of());
    }
}

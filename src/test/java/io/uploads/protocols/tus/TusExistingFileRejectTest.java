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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tus upload whose last PATCH could not be completed (here: the name is taken under
 * {@code onExistingFile: reject}) holds every byte, and its client, seeing the offset at the
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
        Path taken = Files.createDirectories(app.storage().resolve("files").resolve(GROUP)).resolve("taken.bin");
        Files.write(taken, new byte[] {7});
        Reply created = http.send("POST", TusTesting.CREATION_PATH, token, BodyPublishers.noBody(), headers(
                "Tus-Resumable", "1.0.0", "Upload-Length", String.valueOf(file.length),
                "Upload-Metadata", TusTesting.metadataPair("filename", "taken.bin")));
        String path = TusTesting.CREATION_PATH + "/" + TusTesting.idOf(header(created, "Location"));

        Reply last = http.send("PATCH", path, token, BodyPublishers.ofByteArray(file), headers(
                "Tus-Resumable", "1.0.0", "Upload-Offset", "0", "Content-Type", TusTesting.OFFSET_OCTET_STREAM));

        assertThat(last.status()).as(last.body()).isEqualTo(409);
        Reply head = http.send("HEAD", path, token, BodyPublishers.noBody(), headers("Tus-Resumable", "1.0.0"));
        assertThat(header(head, "Upload-Offset")).isEqualTo(String.valueOf(file.length));
        String id = TusTesting.idOf(path);
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.OPEN);
        assertThat(recoverNow().status()).isEqualTo(200);
        assertThat(app.session(id).orElseThrow().state()).as("the name is still taken").isEqualTo(SessionState.OPEN);

        Files.delete(taken);    // the operator moves the old file away
        assertThat(recoverNow().status()).isEqualTo(200);

        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readAllBytes(taken)).isEqualTo(file);
        assertThat(app.session(id).orElseThrow().sha256()).isEqualTo(TestFiles.sha256(file));
    }

    private Reply recoverNow() {
        return new Http(app.adminUrl()).send("POST", "/tasks/recover", null, BodyPublishers.noBody(), Map.of());
    }
}

package io.uploads.protocols;

import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §6: an aborted or expired session is not resumable; every protocol answers for it as for
 * an unknown one, and no resume query reports bytes that are gone.
 */
abstract class NotResumableTest extends AppTestBase {

    private static final Map<String, String> TUS = Map.of("Tus-Resumable", "1.0.0");

    @Test
    void anAbortedNativeSessionIsUnknownToTheResumeQuery() {
        String token = app.token("gone-native", "gone-group");
        String id = http.patch("/files/stream/gone.bin?chunk=1", token, randomBytes(100, 1)).text("id");
        assertThat(http.get("/files/resumables/gone.bin?id=" + id, token).status()).isEqualTo(200);

        assertThat(http.delete("/files/resumables/gone.bin?id=" + id, token).status()).isEqualTo(200);

        Reply after = http.get("/files/resumables/gone.bin?id=" + id, token);
        assertThat(after.status()).as(after.body()).isEqualTo(404);
        assertThat(after.text("error")).isEqualTo("not_found");
        assertThat(http.get("/files/resumables/gone.bin", token).status()).isEqualTo(404);
    }

    @Test
    void anExpiredNativeSessionIsUnknownToTheResumeQuery() {
        String token = app.token("stale-native", "stale-group");
        String id = http.patch("/files/stream/stale.bin?chunk=1", token, randomBytes(100, 2)).text("id");
        expireNow(id);

        assertThat(http.get("/files/resumables/stale.bin?id=" + id, token).status()).isEqualTo(404);
        assertThat(http.get("/files/resumables", token).json().get("resumables")).isEmpty();
    }

    @Test
    void aTerminatedTusUploadIs404AndAnExpiredOne410() {
        String token = app.token("gone-tus", "gone-group");
        String terminated = createTus(token, "t1.bin");
        String expired = createTus(token, "t2.bin");
        assertThat(http.send("DELETE", terminated, token, BodyPublishers.noBody(), TUS).status()).isEqualTo(204);
        expireNow(expired.substring(expired.lastIndexOf('/') + 1));

        assertThat(http.send("HEAD", terminated, token, BodyPublishers.noBody(), TUS).status()).isEqualTo(404);
        assertThat(http.send("HEAD", expired, token, BodyPublishers.noBody(), TUS).status()).isEqualTo(410);
    }

    @Test
    void theFlowTestQueryOfAnAbortedUploadAsksForTheChunk() {
        String token = app.token("gone-flow", "gone-group");
        FlowStyleClient flow = new FlowStyleClient(app.baseUrl(), token);
        FlowFile file = FlowFile.of("f.bin", randomBytes(300, 3), 100);
        String id = flow.send(file, 1).text("id");
        assertThat(flow.test(file, 1).status()).isEqualTo(200);

        assertThat(http.delete("/files/resumables?id=" + id, token).status()).isEqualTo(200);

        assertThat(flow.test(file, 1).status()).isEqualTo(204);
    }

    private void expireNow(String id) {
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET expires_at = :past WHERE id = :id")
                .bind("past", Instant.now().minusSeconds(60)).bind("id", id).execute());
        assertThat(new Http(app.adminUrl()).send("POST", "/tasks/expire", null, BodyPublishers.noBody(), Map.of())
                .status()).isEqualTo(200);
    }

    /** The path of a new tus upload. */
    private String createTus(String token, String filename) {
        String metadata = "filename " + Base64.getEncoder().encodeToString(filename.getBytes(StandardCharsets.UTF_8));
        Reply created = http.send("POST", "/files/tus", token, BodyPublishers.noBody(),
                Map.of("Tus-Resumable", "1.0.0", "Upload-Length", "100", "Upload-Metadata", metadata));
        assertThat(created.status()).isEqualTo(201);
        return created.headers().get("location").get(0).substring(app.baseUrl().length());
    }
}

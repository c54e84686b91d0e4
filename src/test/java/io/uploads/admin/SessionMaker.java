package io.uploads.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Actor;
import io.uploads.core.Caller;
import io.uploads.core.SessionState;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Upload sessions for the admin tests, started the way each protocol's clients start them (native
 * PATCH, flow.js, resumable.js, tus), and moved in time or state with SQL where no client can.
 */
final class SessionMaker {

    static final String TUS_PATH = "/files/tus";

    private final TestApp app;
    private final Http http;

    SessionMaker(TestApp app) {
        this.app = app;
        this.http = app.http();
    }

    /** A token with the {@code admin} role, as {@code token-create --admin} issues it. */
    String adminToken(String principal) {
        return app.tokens().issue(principal, List.of(principal + "-group"), Set.of(Caller.UPLOADER, Caller.ADMIN),
                Duration.ofHours(1), Actor.cli("test")).token();
    }

    /** A native upload: chunk 1 starts it, the others follow in order; each must be answered 201. */
    String resumables(String token, String filename, @Nullable String group, byte[]... chunks) {
        String id = null;
        for (int n = 1; n <= chunks.length; n++) {
            String query = "?chunk=" + n + (id == null ? "" : "&id=" + id) + (group == null ? "" : "&group=" + group);
            Reply reply = http.patch("/files/stream/" + filename + query, token, chunks[n - 1]);
            assertThat(reply.status()).as("chunk %d of %s: %s", n, filename, reply.body()).isEqualTo(201);
            id = reply.text("id");
        }
        return id;
    }

    /** A native upload sent whole and completed with {@code chunk=end}. */
    String completedResumables(String token, String filename, String group, byte[]... chunks) {
        String id = resumables(token, filename, group, chunks);
        Reply end = http.patch("/files/stream/" + filename + "?chunk=end&id=" + id + "&group=" + group, token,
                new byte[0]);
        assertThat(end.status()).as(end.body()).isEqualTo(201);
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        return id;
    }

    /**
     * A flow.js or resumable.js upload of {@code bytes} cut into {@code chunkSize} chunks, of which
     * only {@code send} are sent, in that order.
     */
    String flow(Library library, String token, String group, String filename, byte[] bytes, int chunkSize,
                int... send) {
        FlowStyleClient client = new FlowStyleClient(app.baseUrl(), token).with(library).withQuery("group", group);
        FlowFile file = FlowFile.of(filename, bytes, chunkSize);
        for (int n : send) {
            Reply reply = client.send(file, n);
            assertThat(reply.status()).as("%s chunk %d of %s: %s", library, n, filename, reply.body()).isEqualTo(200);
        }
        return app.jdbi().withHandle(h -> h.createQuery("SELECT id FROM upload_session WHERE client_key = :key")
                .bind("key", file.identifier()).mapTo(String.class).one());
    }

    /** A tus upload of {@code length} bytes created, then sent {@code bytes} from offset 0 (when any). */
    String tus(String token, String filename, String group, long length, byte[] bytes) {
        String id = createTus(token, filename, group, length);
        if (bytes.length > 0) {
            Reply patched = patchTus(token, id, 0, bytes);
            assertThat(patched.status()).as(patched.body()).isEqualTo(204);
        }
        return id;
    }

    String createTus(String token, String filename, String group, long length) {
        Reply created = http.send("POST", TUS_PATH, token, BodyPublishers.noBody(), Map.of(
                "Tus-Resumable", "1.0.0", "Upload-Length", Long.toString(length),
                "Upload-Metadata", "filename " + base64(filename) + ",group " + base64(group)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String location = created.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Location")).map(e -> e.getValue().get(0))
                .findFirst().orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    Reply patchTus(String token, String id, long offset, byte[] bytes) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Tus-Resumable", "1.0.0");
        headers.put("Upload-Offset", Long.toString(offset));
        headers.put("Content-Type", "application/offset+octet-stream");
        return http.send("PATCH", TUS_PATH + "/" + id, token, BodyPublishers.ofByteArray(bytes), headers);
    }

    /** The session was last active {@code idle} ago. */
    void idleFor(String id, Duration idle) {
        setInstant(id, "updated_at", Instant.now().minus(idle));
    }

    void setInstant(String id, String column, Instant value) {
        int changed = app.jdbi().withHandle(h -> h.createUpdate("UPDATE upload_session SET " + column + " = :v WHERE id = :id")
                .bind("v", value.truncatedTo(ChronoUnit.MICROS)).bind("id", id).execute());
        assertThat(changed).isEqualTo(1);
    }

    /** A state no client can bring about at will (ASSEMBLING, FAILED). */
    void forceState(String id, SessionState state) {
        int changed = app.jdbi().withHandle(h -> h.createUpdate("UPDATE upload_session SET state = :s WHERE id = :id")
                .bind("s", state.name()).bind("id", id).execute());
        assertThat(changed).isEqualTo(1);
    }

    /** Runs the server's expiry now, through its admin task. */
    void expireNow() {
        Reply reply = new Http(app.adminUrl()).send("POST", "/tasks/expire", null, BodyPublishers.noBody(), Map.of());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    static byte[] bytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}

package io.uploads.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.ChunkStore;
import io.uploads.core.SessionState;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin port: health checks on a service started over an empty storage directory, and tasks. */
abstract class AdminPortTest extends AppTestBase {

    @Test
    void aFreshServiceIsHealthy() {
        Reply health = new Http(app.adminUrl()).get("/healthcheck", null);

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("database").get("healthy").asBoolean()).isTrue();
        assertThat(health.json().get("storage").get("healthy").asBoolean()).isTrue();
        assertThat(app.storageFixture().readyForSessions()).as("storage prepared for session bytes").isTrue();
        assertThat(app.storage().resolve("files")).isDirectory();
    }

    @Test
    void storageBelowTheFreeSpaceMinimumIsUnhealthy() throws Exception {
        StorageHealthCheck check = new StorageHealthCheck(ChunkStore.open(app.storage(), 0), Long.MAX_VALUE);

        var result = check.execute();

        assertThat(result.isHealthy()).isFalse();
        assertThat(result.getMessage()).contains("below the minimum");
        try (var leftovers = Files.list(app.storage())) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().startsWith(".health"))).isEmpty();
        }
    }

    @Test
    void theRecoverTaskFinishesASessionLeftAssembling() {
        String token = app.token("tess", "tess-group");
        String id = http.patch("/files/stream/stuck.bin?chunk=1", token, new byte[5000]).text("id");
        // left so an hour ago: the task, run beside running uploads, leaves younger ones to them
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET state = 'ASSEMBLING', updated_at = :then"
                        + " WHERE id = :id")
                .bind("id", id).bind("then", Instant.now().minusSeconds(3600)).execute());

        Reply task = new Http(app.adminUrl()).send("POST", "/tasks/recover", null,
                BodyPublishers.noBody(), Map.of());

        assertThat(task.status()).isEqualTo(200);
        assertThat(task.body()).contains("sessionsReassembled=1");
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        assertThat(app.storage().resolve("files/tess-group/stuck.bin")).hasSize(5000);
    }

    @Test
    void theExpireTaskExpiresIdleSessions() {
        String token = app.token("ted", "ted-group");
        String id = http.patch("/files/stream/idle.bin?chunk=1", token, new byte[100]).text("id");
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET expires_at = :past WHERE id = :id")
                .bind("past", Instant.now().minusSeconds(60)).bind("id", id).execute());

        Reply task = new Http(app.adminUrl()).send("POST", "/tasks/expire", null,
                BodyPublishers.noBody(), Map.of());

        assertThat(task.status()).isEqualTo(200);
        assertThat(task.body()).contains("Expired 1 session(s)");
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
    }
}

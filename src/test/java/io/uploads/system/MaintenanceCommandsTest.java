package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.SessionState;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SPEC §2: {@code migrate}, {@code recover} and {@code expire}, run in their own JVM beside the service. */
abstract class MaintenanceCommandsTest extends AppTestBase {

    private Map<String, String> env;
    private String token;

    @BeforeAll
    void pointCommandsAtTheService() {
        env = SeparateJvm.envOf(app);
        token = app.token("maud", "maud-group");
    }

    @Test
    void migrateReportsTheLatestSchemaVersion() throws IOException {
        long migrations;
        try (var files = Files.list(Path.of("migrations"))) {
            migrations = files.filter(p -> p.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
        }

        assertThat(SeparateJvm.command(env, "migrate").lastLine()).isEqualTo("Schema at version " + migrations);
    }

    @Test
    void recoverRemovesLeftoversAndReportsThem() throws IOException {
        Reply started = http.patch("/files/stream/recover.bin?chunk=1", token, new byte[1000]);
        // the first chunk of an upload whose row a crash kept from being written, an hour ago
        String unknown = UUID.randomUUID().toString();
        app.storageFixture().writeAt(unknown, 0, new byte[10]);
        Path leftover = app.storageFixture().fileOf(unknown);
        Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        // and one written a moment ago, which may be a first chunk still arriving at the running server
        String arriving = UUID.randomUUID().toString();
        app.storageFixture().writeAt(arriving, 0, new byte[10]);

        String report = SeparateJvm.command(env, "recover").lastLine();

        assertThat(report).startsWith("Report[").contains("leftoverFilesRemoved=1");
        assertThat(leftover).doesNotExist();
        assertThat(app.storageFixture().fileOf(arriving)).exists();
        assertThat(app.storageFixture().bytesHeld(started.text("id"))).isEqualTo(1000);
        assertThat(app.session(started.text("id")).orElseThrow().state()).isEqualTo(SessionState.OPEN);
    }

    @Test
    void expireEndsIdleSessionsOnly() {
        String idle = http.patch("/files/stream/idle.bin?chunk=1", token, new byte[1000]).text("id");
        String active = http.patch("/files/stream/active.bin?chunk=1", token, new byte[1000]).text("id");
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET expires_at = :past WHERE id = :id")
                .bind("past", Instant.now().minusSeconds(60)).bind("id", idle).execute());

        assertThat(SeparateJvm.command(env, "expire").lastLine()).isEqualTo("Expired 1 session(s)");
        assertThat(app.session(idle).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
        assertThat(app.session(active).orElseThrow().state()).isEqualTo(SessionState.OPEN);
        assertThat(http.patch("/files/stream/idle.bin?chunk=2&id=" + idle, token, new byte[10]).status()).isEqualTo(409);
    }
}

package io.uploads.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.ChunkStore;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The admin port's health checks on a service started over an empty storage directory. */
abstract class HealthCheckTest extends AppTestBase {

    @Test
    void aFreshServiceIsHealthy() {
        Reply health = new Http(app.adminUrl()).get("/healthcheck", null);

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("database").get("healthy").asBoolean()).isTrue();
        assertThat(health.json().get("storage").get("healthy").asBoolean()).isTrue();
        assertThat(app.storage().resolve("sessions")).isDirectory();
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
}

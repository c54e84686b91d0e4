package io.uploads.health;

import com.codahale.metrics.health.HealthCheck;
import io.uploads.core.ChunkStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The storage directory takes a write and keeps more free space than the configured minimum. */
public final class StorageHealthCheck extends HealthCheck {

    private final ChunkStore store;
    private final long minFreeBytes;

    public StorageHealthCheck(ChunkStore store, long minFreeBytes) {
        this.store = store;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    protected Result check() throws Exception {
        Path probe = Files.createTempFile(store.root(), ".health", ".tmp");
        Files.delete(probe);
        long free = store.usableSpace();
        return free >= minFreeBytes
                ? Result.healthy("%d bytes free", free)
                : Result.unhealthy("%d bytes free, below the minimum of %d", free, minFreeBytes);
    }
}

package io.uploads.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Starts the fsync of a long body's first bytes while the later ones still arrive, so that the
 * fsync the answer waits for finds only the last few MiB to write. An 8 MiB chunk written and then
 * fsynced waited some 40 ms for the disk here after it had arrived; a 1 GiB body, seconds.
 *
 * <p>At most one early fsync runs per body; the next starts once it is done and another
 * {@link #STEP} was written. It only moves the disk's work earlier: the caller's own fsync
 * after the last byte stays the durability point, and an early fsync's failure is reported there,
 * because Linux reports a write-back error to one fsync only.
 */
final class Writeback implements AutoCloseable {

    static final long STEP = 2L << 20;

    private static final ExecutorService FLUSHERS = DaemonThreads.pool("storage-writeback-");

    private final FileChannel file;
    private long unflushed;
    private @Nullable Future<?> running;

    Writeback(FileChannel file) {
        this.file = file;
    }

    /** {@code bytes} more were written to the file. */
    void written(long bytes) throws IOException {
        unflushed += bytes;
        if (unflushed < STEP || running != null && !running.isDone()) {
            return;
        }
        awaitRunning();
        unflushed = 0;
        running = FLUSHERS.submit(() -> {
            file.force(false);
            return null;
        });
    }

    /** Waits for the early fsync still running, and throws its failure: the caller's fsync comes next. */
    void finish() throws IOException {
        awaitRunning();
    }

    /** The body failed: the file is not closed under a running fsync. */
    @Override
    public void close() {
        try {
            awaitRunning();
        } catch (IOException ignored) {
            // the body failed already; its bytes will not be recorded
        }
    }

    private void awaitRunning() throws IOException {
        Future<?> previous = running;
        if (previous == null) {
            return;
        }
        running = null;
        try {
            Uninterrupted.call(previous::get);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("an early fsync failed", e.getCause());
        }
    }
}

package io.uploads.db;

import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * On H2, this process writes one transaction at a time; on PostgreSQL, writes run concurrently.
 *
 * <p>H2 writes a commit to its file by saving its tables' trees one after another, while other
 * transactions go on changing them (H2 issue #2080). Should the process be killed just after, the
 * file can hold half of a transaction that was committing meanwhile, or a change without the undo
 * entry that would roll it back. Measured with 20 uploads at once and {@code kill -9}: after a
 * restart the audit chain had a row past its head (the next append then failed on the primary
 * key), or the head's row stayed locked by a transaction that no longer existed, and start-up
 * spun forever waiting for it. With one writer at a time, no tree changes while one is being
 * saved. Reads never wait. Writes from another process reaching the file through AUTO_SERVER (the
 * CLI while the server runs) are not covered.
 */
public final class SerialWrites {

    private final @Nullable ReentrantLock lock;

    private SerialWrites(@Nullable ReentrantLock lock) {
        this.lock = lock;
    }

    /** One writer at a time if {@code jdbi} reaches H2. */
    public static SerialWrites of(Jdbi jdbi) {
        boolean h2 = jdbi.withHandle(h -> {
            try {
                return "H2".equals(h.getConnection().getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot tell which database this is", e);
            }
        });
        return new SerialWrites(h2 ? new ReentrantLock() : null);
    }

    /** Runs {@code write}, alone among this process's writes on H2. */
    public <T> T run(Supplier<T> write) {
        if (lock == null) {
            return write.get();
        }
        lock.lock();
        try {
            return write.get();
        } finally {
            lock.unlock();
        }
    }

    public void run(Runnable write) {
        run(() -> {
            write.run();
            return null;
        });
    }
}

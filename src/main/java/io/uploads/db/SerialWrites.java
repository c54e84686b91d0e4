package io.uploads.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * On H2, this process writes one transaction at a time, and the writes that wait meanwhile commit
 * together; on PostgreSQL, each write is a transaction of its own and they run concurrently.
 *
 * <p>One at a time: H2 writes a commit to its file by saving its tables' trees one after another,
 * while other transactions go on changing them (H2 issue #2080). Should the process be killed just
 * after, the file can hold half of a transaction that was committing meanwhile, or a change without
 * the undo entry that would roll it back. Measured with 20 uploads at once and {@code kill -9}:
 * after a restart the audit chain had a row past its head (the next append then failed on the
 * primary key), or the head's row stayed locked by a transaction that no longer existed, and
 * start-up spun forever waiting for it. With one writer at a time, no tree changes while one is
 * being saved. Reads never wait. Writes from another process reaching the file through AUTO_SERVER
 * (the CLI while the server runs) are not covered.
 *
 * <p>Together (group commit): each H2 commit rewrites every page its transaction changed, and
 * concurrent uploads change the same pages (the newest leaves of the session, chunk and audit
 * tables and of their indexes), so one commit of many writes costs about as much as a commit of
 * one; with 20 small uploads at once, that commit was a third of the server's CPU. A writer that
 * arrives while a transaction runs queues its work; when the transaction ends, one queued writer
 * runs everything queued in one transaction on one connection, in queue order, each part behind a
 * savepoint of its own (a part that fails is rolled back alone, and its writer gets its error),
 * commits once, and hands each writer its outcome. Each part sees the parts before it, as if they
 * had committed one after another, and no writer returns before the commit that holds its part.
 */
public final class SerialWrites {

    private final Jdbi jdbi;
    private final @Nullable ReentrantLock lock;
    /** Work waiting for the next transaction; also the monitor for {@link #leading} and {@link Queued#done}. */
    private final List<Queued<?>> waiting = new ArrayList<>();
    private boolean leading;

    private SerialWrites(Jdbi jdbi, @Nullable ReentrantLock lock) {
        this.jdbi = jdbi;
        this.lock = lock;
    }

    /** One writer at a time, and group commit, if {@code jdbi} reaches H2. */
    public static SerialWrites of(Jdbi jdbi) {
        boolean h2 = jdbi.withHandle(h -> {
            try {
                return "H2".equals(h.getConnection().getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot tell which database this is", e);
            }
        });
        return new SerialWrites(jdbi, h2 ? new ReentrantLock() : null);
    }

    /**
     * Runs {@code work} in a transaction and returns once that transaction has committed, with the
     * work's result, or rolled back, with its exception. On H2 the transaction may hold other
     * writers' work too.
     */
    public <T> T inTransaction(Function<Write, T> work) {
        if (lock == null || lock.isHeldByCurrentThread()) {
            // PostgreSQL; or H2 and nested in a write of this thread, which runs it on its own, as it always did
            return alone(work);
        }
        Queued<T> mine = new Queued<>(work);
        boolean lead;
        boolean interrupted = false;
        synchronized (waiting) {
            waiting.add(mine);
            while (leading && !mine.done) {
                try {
                    waiting.wait();
                } catch (InterruptedException e) {
                    // the work is queued and may be committing: its outcome is still to come
                    interrupted = true;
                }
            }
            lead = !mine.done;
            leading |= lead;
        }
        if (lead) {
            lead();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return mine.outcome();
    }

    /** Runs {@code write}, alone among this process's writes on H2 (for writes that are not transactions). */
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

    private void lead() {
        List<Queued<?>> batch = List.of();
        try {
            lock.lock();
            try {
                synchronized (waiting) {
                    batch = List.copyOf(waiting);
                    waiting.clear();
                }
                commitTogether(batch);
            } finally {
                lock.unlock();
            }
        } finally {
            synchronized (waiting) {
                batch.forEach(q -> q.done = true);
                leading = false;
                waiting.notifyAll();
            }
        }
    }

    private void commitTogether(List<Queued<?>> batch) {
        List<Queued<?>> parts = new ArrayList<>(batch.size());
        try (Handle h = jdbi.open()) {
            Map<Class<?>, Object> attached = new HashMap<>();
            h.useTransaction(t -> {
                for (int i = 0; i < batch.size(); i++) {
                    String savepoint = "part" + i;
                    h.savepoint(savepoint);
                    Queued<?> q = batch.get(i);
                    if (q.runIn(new Write(h, attached))) {
                        parts.add(q);
                    } else {
                        h.rollbackToSavepoint(savepoint);
                        q.write.rolledBack();
                    }
                }
            });
        } catch (RuntimeException | Error e) {
            // the transaction rolled back, and every part in it
            for (Queued<?> q : batch) {
                if (q.failure == null) {
                    q.failure = e;
                }
                if (q.write != null) {
                    q.write.rolledBack();
                }
            }
            return;
        }
        parts.forEach(q -> q.write.committed());
    }

    private <T> T alone(Function<Write, T> work) {
        try (Handle h = jdbi.open()) {
            Write write = new Write(h, new HashMap<>());
            T result;
            try {
                result = h.inTransaction(t -> work.apply(write));
            } catch (RuntimeException | Error e) {
                write.rolledBack();
                throw e;
            }
            write.committed();
            return result;
        }
    }

    /** One writer's work, and once {@code done}, its result or its failure. */
    private static final class Queued<T> {
        private final Function<Write, T> work;
        private @Nullable Write write;
        private @Nullable T result;
        private @Nullable Throwable failure;
        private boolean done;

        Queued(Function<Write, T> work) {
            this.work = work;
        }

        /** Runs the work as {@code part} of a transaction; false when it failed (its failure kept). */
        boolean runIn(Write part) {
            write = part;
            try {
                result = work.apply(write);
                return true;
            } catch (RuntimeException | Error e) {
                failure = e;
                return false;
            }
        }

        T outcome() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return result;
        }
    }
}

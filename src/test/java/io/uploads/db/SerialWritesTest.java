package io.uploads.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.testing.CommitFails;
import io.uploads.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on H2: writes that wait while a transaction runs are committed together, each one's
 * outcome its own.
 */
class SerialWritesTest {

    @TempDir
    Path dir;

    private Jdbi jdbi;
    private SerialWrites writes;
    private ExecutorService pool;
    /** What ran after each write's commit or rollback: "committed 1", "rolled back 2", ... */
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    /** The handles the writes ran on. */
    private final Set<Handle> handles = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void open() {
        jdbi = TestDatabase.h2(dir).jdbi();
        jdbi.useHandle(h -> h.execute("CREATE TABLE item (id INT PRIMARY KEY)"));
        writes = SerialWrites.of(jdbi);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @Test
    void writesThatWaitCommitInOneTransactionAndOneThatFailsIsRolledBackAlone() throws Exception {
        List<Future<Integer>> submitted = whileTheTurnIsHeld(writes, List.of(insert(1), insertThenFail(2), insert(3)));

        assertThat(submitted.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> submitted.get(1).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasRootCauseMessage("write 2 refused");
        assertThat(submitted.get(2).get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(items()).containsExactly(1, 3);
        assertThat(ended).containsExactlyInAnyOrder("committed 1", "rolled back 2", "committed 3");
        assertThat(handles).as("one transaction for the three").hasSize(1);
    }

    @Test
    void whenTheSharedCommitFailsEveryWriteInItFailsAndIsRolledBack() throws Exception {
        Jdbi failingCommits = TestDatabase.h2(dir).jdbi();
        failingCommits.setTransactionHandler(new CommitFails());
        SerialWrites failing = SerialWrites.of(failingCommits);

        List<Future<Integer>> submitted = whileTheTurnIsHeld(failing, List.of(insert(1), insert(2)));

        for (Future<Integer> write : submitted) {
            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCauseMessage("the commit failed");
        }
        assertThat(items()).isEmpty();
        assertThat(ended).containsExactlyInAnyOrder("rolled back 1", "rolled back 2");
    }

    @Test
    void aWriteAloneCommitsAndItsFailureReachesItsCaller() {
        assertThat(writes.inTransaction(insert(1))).isEqualTo(1);
        assertThatThrownBy(() -> writes.inTransaction(insertThenFail(2))).hasMessage("write 2 refused");

        assertThat(items()).containsExactly(1);
        assertThat(ended).containsExactlyInAnyOrder("committed 1", "rolled back 2");
    }

    /**
     * Submits each write from a thread of its own while another holds the turn, and lets that one
     * go once all of them wait: the first to arrive then runs them all.
     */
    private List<Future<Integer>> whileTheTurnIsHeld(SerialWrites target, List<Function<Write, Integer>> work)
            throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> held = pool.submit(() -> target.run(() -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        Set<Thread> writers = ConcurrentHashMap.newKeySet();
        List<Future<Integer>> submitted = work.stream().map(w -> pool.submit(() -> {
            writers.add(Thread.currentThread());
            return target.inTransaction(w);
        })).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writers.size() < work.size() || writers.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
            assertThat(System.nanoTime()).as("the writers wait for their turn").isLessThan(deadline);
            Thread.sleep(5);
        }
        release.countDown();
        held.get(10, TimeUnit.SECONDS);
        return submitted;
    }

    private Function<Write, Integer> insert(int id) {
        return w -> {
            handles.add(w.handle());
            w.handle().execute("INSERT INTO item (id) VALUES (?)", id);
            w.afterCommit(() -> ended.add("committed " + id));
            w.afterRollback(() -> ended.add("rolled back " + id));
            return id;
        };
    }

    private Function<Write, Integer> insertThenFail(int id) {
        return w -> {
            insert(id).apply(w);
            throw new IllegalStateException("write " + id + " refused");
        };
    }

    private List<Integer> items() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM item ORDER BY id").mapTo(Integer.class).list());
    }
}

package io.uploads.ledger;

import static io.uploads.core.Stage.ABORTED;
import static io.uploads.core.Stage.ASSEMBLING;
import static io.uploads.core.Stage.COMPLETED;
import static io.uploads.core.Stage.COMPLETION_DUE;
import static io.uploads.core.Stage.EXPIRED;
import static io.uploads.core.Stage.FAILED;
import static io.uploads.core.Stage.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.uploads.Services;
import io.uploads.core.Actor;
import io.uploads.core.AuditEntry;
import io.uploads.core.AuditEvent;
import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.Stage;
import io.uploads.core.UploadException;
import io.uploads.core.UploadException.Problem;
import io.uploads.core.UploadSession;
import io.uploads.db.AuditDao;
import io.uploads.db.ChunkDao;
import io.uploads.db.SessionDao;
import io.uploads.testing.DatabaseTestBase;
import io.uploads.testing.MovableClock;
import io.uploads.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The write path alone, at the database tier: every move of {@link Stage}'s table goes through
 * {@link Change} with exactly its audit row; every other move, and every failure inside the
 * ledger's transaction, leaves the rows as they were; opening keeps to the limit and the client
 * key; and whatever is written, concurrently too, the audit rows form one unbroken chain.
 */
abstract class LedgerTest extends DatabaseTestBase {

    /** Stage's table as the spec states it, written out here so that a change to Stage shows. */
    private static final Map<Stage, Set<Stage>> TABLE = Map.of(
            OPEN, EnumSet.of(COMPLETION_DUE, ASSEMBLING, ABORTED, EXPIRED),
            COMPLETION_DUE, EnumSet.of(ASSEMBLING, OPEN, ABORTED),
            ASSEMBLING, EnumSet.of(COMPLETED, FAILED, OPEN, COMPLETION_DUE),
            COMPLETED, EnumSet.noneOf(Stage.class),
            ABORTED, EnumSet.noneOf(Stage.class),
            EXPIRED, EnumSet.noneOf(Stage.class),
            FAILED, EnumSet.noneOf(Stage.class));

    /** The event code the trail stores for arriving at each stage. */
    private static final Map<Stage, String> ENTERING = Map.of(
            OPEN, "session_reopened",
            COMPLETION_DUE, "session_completion_due",
            ASSEMBLING, "session_assembling",
            COMPLETED, "session_completed",
            ABORTED, "session_aborted",
            EXPIRED, "session_expired",
            FAILED, "session_failed");

    private static final Instant CREATED = Instant.parse("2026-12-01T09:00:00.000001Z");
    private static final Instant NOW = Instant.parse("2026-12-01T10:15:30.123456Z");
    private static final Actor ALICE = new Actor("alice", "203.0.113.7");
    private static final String SHA = "ab".repeat(32);

    private Ledger ledger;

    @BeforeEach
    void emptyTablesAndAFixedClock() {
        jdbi.useTransaction(h -> {
            h.execute("DELETE FROM audit_event");
            h.execute("DELETE FROM writer_claim");
            h.execute("DELETE FROM upload_chunk");
            h.execute("DELETE FROM upload_session");
            h.execute("DELETE FROM principal_quota");
            h.execute("UPDATE audit_head SET seq = 0, hash = '" + AuditChain.GENESIS + "'");
        });
        ledger = new Ledger(jdbi, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** (from, to) in the order of the stages, so the cases read the same on every run. */
    private static final Comparator<Arguments> ORDER = Comparator
            .<Arguments, Integer>comparing(a -> ((Stage) a.get()[0]).ordinal())
            .thenComparing(a -> ((Stage) a.get()[1]).ordinal());

    static Stream<Arguments> movesOfTheTable() {
        return TABLE.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(to -> Arguments.of(e.getKey(), to)))
                .sorted(ORDER);
    }

    static Stream<Arguments> movesOutsideTheTable() {
        return Stream.of(Stage.values())
                .flatMap(from -> Stream.of(Stage.values())
                        .filter(to -> !TABLE.get(from).contains(to))
                        .map(to -> Arguments.of(from, to)));
    }

    // --- 1. every move of the table -------------------------------------------------------------

    @Test
    void theTableHasElevenMovesAndThirtyEightRefusals() {
        assertThat(movesOfTheTable()).hasSize(11);
        assertThat(movesOutsideTheTable()).hasSize(38);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("movesOfTheTable")
    void everyMoveOfTheTableChangesTheStageAndAppendsExactlyItsAuditRow(Stage from, Stage to) {
        UploadSession before = sessionAt(from);
        AuditDao.Head head = audit().head();

        ledger.change(before.id(), ALICE, change -> {
            change.moveTo(to, "test move " + from + " to " + to);
            return null;
        });

        UploadSession after = sessions().find(before.id()).orElseThrow();
        assertThat(after.stage()).isEqualTo(to);
        assertThat(after.state()).isEqualTo(to == COMPLETION_DUE ? SessionState.OPEN : SessionState.valueOf(to.name()));
        assertThat(after.completionDueAt()).isEqualTo(to == COMPLETION_DUE ? NOW : null);
        assertThat(after).as("nothing but the stage and the time of the change moves")
                .isEqualTo(moved(before, after.state(), after.completionDueAt()));
        assertThat(sessions().findActiveByKey(before.owner(), before.clientKey()).isPresent())
                .as("only an active session holds its client key").isEqualTo(!to.isFinal());

        assertThat(auditRows()).hasSize((int) head.seq() + 1);
        AuditEntry row = audit().after(head.seq(), 10).get(0);
        assertThat(row.seq()).isEqualTo(head.seq() + 1);
        assertThat(row.event()).isEqualTo(ENTERING.get(to));
        assertAbout(row, after);
        assertThat(row.detail()).isEqualTo("test move " + from + " to " + to);
        assertThat(row.prevHash()).isEqualTo(head.hash());
        assertThat(audit().head()).isEqualTo(new AuditDao.Head(row.seq(), row.hash()));
    }

    @Test
    void completeTakesAnAssemblingSessionToCompletedWithItsFileAndAuditRow() {
        UploadSession before = sessionAt(ASSEMBLING);

        ledger.change(before.id(), ALICE, change -> {
            change.complete("/srv/final/report.pdf", SHA, 1000);
            return null;
        });

        UploadSession after = sessions().find(before.id()).orElseThrow();
        assertThat(after).isEqualTo(new UploadSession(before.id(), before.owner(), before.groupName(),
                before.filename(), before.protocol(), SessionState.COMPLETED, before.totalSize(),
                before.totalChunks(), before.maxChunk(), before.receivedBytes(), before.createdAt(), NOW,
                before.expiresAt(), NOW, "/srv/final/report.pdf", SHA, before.clientKey(), before.chunkSize(),
                before.clientMetadata(), null));
        assertThat(sessions().findActiveByKey(before.owner(), before.clientKey())).isEmpty();
        assertThat(auditRows()).singleElement().satisfies(row -> {
            assertThat(row.event()).isEqualTo("session_completed");
            assertAbout(row, after);
            assertThat(row.detail()).contains("1000").contains(SHA).contains("/srv/final/report.pdf");
        });
    }

    /** A session that holds every byte goes through the whole table to COMPLETED in four changes. */
    @Test
    void aSessionOpenedThroughTheLedgerTravelsToCompletedLeavingOneRowPerStep() {
        UploadSession fresh = fresh("alice", null);
        AtomicBoolean ranAfterCommit = new AtomicBoolean();
        ledger.open(fresh, 10, ALICE, change -> {
            change.addChunk(new Chunk(fresh.id(), 1, 0, 1000, Chunk.EMPTY_MD5, NOW), 1, "team-b", NOW.plusSeconds(60));
            change.moveTo(COMPLETION_DUE, "every byte");
            change.afterCommit(() -> ranAfterCommit.set(true));
            return null;
        });
        ledger.change(fresh.id(), Actor.SYSTEM, change -> {
            change.moveTo(ASSEMBLING, null);
            return null;
        });
        ledger.change(fresh.id(), Actor.SYSTEM, change -> {
            change.complete("/srv/final/x.bin", SHA, 1000);
            return null;
        });

        assertThat(ranAfterCommit).isTrue();
        UploadSession done = sessions().find(fresh.id()).orElseThrow();
        assertThat(done.stage()).isEqualTo(COMPLETED);
        assertThat(done.receivedBytes()).isEqualTo(1000);
        assertThat(done.groupName()).isEqualTo("team-b");
        assertThat(chunks().list(fresh.id())).hasSize(1);
        assertThat(auditRows()).extracting(AuditEntry::seq, AuditEntry::event, AuditEntry::actor, AuditEntry::groupName,
                AuditEntry::bytes).containsExactly(
                tuple(1L, "session_created", "alice", "team-a", 0L),
                tuple(2L, "session_completion_due", "alice", "team-b", 1000L),
                tuple(3L, "session_assembling", "system", "team-b", 1000L),
                tuple(4L, "session_completed", "system", "team-b", 1000L));
        assertThat(new AuditTrail(jdbi).verify(null).intact()).isTrue();
    }

    @Test
    void theSessionAChangeHoldsIsTheRowAsStoredAfterEachOfItsUpdates() {
        MovableClock clock = new MovableClock(NOW);
        Ledger ticking = new Ledger(jdbi, clock);
        UploadSession fresh = fresh("alice", null);
        String id = fresh.id();

        UploadSession opened = ticking.open(fresh, 10, ALICE, change -> {
            clock.advance(Duration.ofMillis(1));
            change.addChunk(new Chunk(id, 1, 0, 400, Chunk.EMPTY_MD5, clock.instant()), 1, "team-b",
                    NOW.plusSeconds(60));
            return change.session();
        });
        assertThat(sessions().find(id)).contains(opened);
        clock.advance(Duration.ofSeconds(1));
        UploadSession grown = ticking.change(id, ALICE, change -> {
            change.addChunk(new Chunk(id, 2, 400, 600, Chunk.EMPTY_MD5, clock.instant()), 2, "team-c",
                    NOW.plusSeconds(120));
            clock.advance(Duration.ofMillis(3));
            change.setGroup("team-d");
            clock.advance(Duration.ofMillis(5));
            change.moveTo(COMPLETION_DUE, "every byte");
            return change.session();
        });
        assertThat(grown.receivedBytes()).isEqualTo(1000);
        assertThat(grown.completionDueAt()).isNotNull();
        assertThat(sessions().find(id)).contains(grown);
        clock.advance(Duration.ofSeconds(1));
        UploadSession assembling = ticking.change(id, Actor.SYSTEM, change -> {
            change.moveTo(ASSEMBLING, null);
            return change.session();
        });
        assertThat(sessions().find(id)).contains(assembling);
        clock.advance(Duration.ofSeconds(1));
        UploadSession done = ticking.change(id, Actor.SYSTEM, change -> {
            change.complete("/srv/final/x.bin", SHA, 1000);
            return change.session();
        });
        assertThat(done.stage()).isEqualTo(COMPLETED);
        assertThat(sessions().find(id)).contains(done);
    }

    @Test
    void aDeclaredLengthAndARecoveryResetAreTheRowAsStored() {
        MovableClock clock = new MovableClock(NOW);
        Ledger ticking = new Ledger(jdbi, clock);
        UploadSession fresh = fresh("alice", null);
        UploadSession deferred = new UploadSession(fresh.id(), fresh.owner(), fresh.groupName(), fresh.filename(),
                Protocol.TUS, SessionState.OPEN, null, null, 0, 0, NOW, NOW, NOW.plus(Duration.ofDays(1)), null, null,
                null, null, null, null, null);
        ticking.open(deferred, 10, ALICE, change -> {
            change.addChunk(new Chunk(deferred.id(), 1, 0, 400, Chunk.EMPTY_MD5, NOW), 1, "team-a", NOW);
            return null;
        });
        clock.advance(Duration.ofMillis(7));

        UploadSession changed = ticking.change(deferred.id(), ALICE, change -> {
            change.declareTotalSize(900);
            change.dropChunk(1);
            change.resetProgress(0, 0, 0);
            return change.session();
        });

        assertThat(changed.totalSize()).isEqualTo(900L);
        assertThat(changed.receivedBytes()).isZero();
        assertThat(sessions().find(deferred.id())).contains(changed);
    }

    // --- 2. every other move is refused and changes nothing -------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("movesOutsideTheTable")
    void everyMoveOutsideTheTableIsRefusedAndChangesNothing(Stage from, Stage to) {
        assertRefusedChangingNothing(from, (change, before) -> change.moveTo(to, "must not happen"));
    }

    @ParameterizedTest
    @EnumSource(value = Stage.class, names = "ASSEMBLING", mode = EnumSource.Mode.EXCLUDE)
    void completionIsRefusedOutsideAssemblingAndChangesNothing(Stage from) {
        assertRefusedChangingNothing(from, (change, before) -> change.complete("/srv/final/never.bin", SHA, 1000));
    }

    @ParameterizedTest
    @EnumSource(value = Stage.class, names = "OPEN", mode = EnumSource.Mode.EXCLUDE)
    void onlyAnOpenSessionTakesAChunk(Stage from) {
        UploadSession before = sessionAt(from);
        Tables tables = tables(before.id());

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            change.addChunk(new Chunk(before.id(), 4, 1000, 10, Chunk.EMPTY_MD5, NOW), 4, "team-a", NOW);
            return null;
        })).isInstanceOfSatisfying(UploadException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.SESSION_NOT_OPEN));

        assertThat(tables(before.id())).isEqualTo(tables);
    }

    @Test
    void anUnknownSessionIsNotFoundAndNothingIsWritten() {
        assertThatThrownBy(() -> ledger.change("no-such-session", ALICE, change -> {
            change.moveTo(ABORTED, null);
            return null;
        })).isInstanceOfSatisfying(UploadException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_FOUND));
        assertThat(auditRows()).isEmpty();
    }

    // --- 3. a failure inside the transaction leaves nothing --------------------------------------

    @Test
    void aFailureAfterAMoveLeavesNeitherTheMoveNorItsAuditRowAndRunsNoAfterCommitAction() {
        UploadSession before = sessionAt(OPEN);
        Tables tables = tables(before.id());
        AtomicBoolean ran = new AtomicBoolean();
        RuntimeException injected = new RuntimeException("injected after the move");

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            change.moveTo(ABORTED, "aborted by the client");
            change.afterCommit(() -> ran.set(true));
            assertThat(change.session().stage()).as("the move is visible inside the transaction").isEqualTo(ABORTED);
            throw injected;
        })).isSameAs(injected);

        assertThat(tables(before.id())).isEqualTo(tables);
        assertThat(ran).isFalse();
    }

    @Test
    void aFailureAfterAChunkLeavesNoChunkNoProgressNoAuditRowAndRunsNoAfterCommitAction() {
        UploadSession before = sessionAt(OPEN);
        Tables tables = tables(before.id());
        AtomicBoolean ran = new AtomicBoolean();
        RuntimeException injected = new RuntimeException("injected after the chunk");

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            change.afterCommit(() -> ran.set(true));
            change.addChunk(new Chunk(before.id(), 4, 1000, 10, Chunk.EMPTY_MD5, NOW), 4, "team-b", NOW.plusSeconds(60));
            change.moveTo(COMPLETION_DUE, "every byte");
            assertThat(change.chunkCount()).isEqualTo(1);
            throw injected;
        })).isSameAs(injected);

        assertThat(tables(before.id())).isEqualTo(tables);
        assertThat(ran).isFalse();
    }

    @Test
    void aFailureAfterCompletionLeavesTheSessionAssemblingWithoutItsAuditRow() {
        UploadSession before = sessionAt(ASSEMBLING);
        Tables tables = tables(before.id());
        AtomicBoolean ran = new AtomicBoolean();
        RuntimeException injected = new RuntimeException("injected after completion");

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            change.complete("/srv/final/report.pdf", SHA, 1000);
            change.afterCommit(() -> ran.set(true));
            throw injected;
        })).isSameAs(injected);

        assertThat(sessions().find(before.id())).contains(before);
        assertThat(tables(before.id())).isEqualTo(tables);
        assertThat(ran).isFalse();
    }

    @Test
    void aFailureInTheWorkOfOpenLeavesNoSessionNoChunkAndNoCreatedRow() {
        UploadSession fresh = fresh("alice", "key-1");
        AtomicBoolean ran = new AtomicBoolean();
        RuntimeException injected = new RuntimeException("injected after the first chunk");

        assertThatThrownBy(() -> ledger.open(fresh, 10, ALICE, change -> {
            change.addChunk(new Chunk(fresh.id(), 1, 0, 10, Chunk.EMPTY_MD5, NOW), 1, "team-a", NOW);
            change.afterCommit(() -> ran.set(true));
            throw injected;
        })).isSameAs(injected);

        assertThat(sessions().find(fresh.id())).isEmpty();
        assertThat(chunks().list(fresh.id())).isEmpty();
        assertThat(auditRows()).isEmpty();
        assertThat(audit().head()).isEqualTo(new AuditDao.Head(0, AuditChain.GENESIS));
        assertThat(ran).isFalse();
        assertThat(sessions().findActiveByKey("alice", "key-1")).as("the key is free again").isEmpty();
    }

    @Test
    void anAuditRowThatCannotBeWrittenUndoesTheChangeItRecords() {
        UploadSession before = sessionAt(OPEN);
        Tables tables = tables(before.id());
        String tooLong = "x".repeat(4097);    // audit_event.detail is VARCHAR(4096)

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            change.moveTo(ABORTED, tooLong);
            return null;
        })).isInstanceOf(RuntimeException.class);

        assertThat(tables(before.id())).isEqualTo(tables);
    }

    /** A completion links the final name before its commit, and removes it this way when the commit fails. */
    @Test
    void workOnDiskIsUndoneWhenTheTransactionRollsBackAfterTheWorkAndNeverWhenItCommits() {
        UploadSession before = sessionAt(OPEN);
        AtomicBoolean undone = new AtomicBoolean();

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            change.onRollback(() -> undone.set(true));
            change.moveTo(ABORTED, "x".repeat(4097));    // its audit row fails, after the work returned
            return null;
        })).isInstanceOf(RuntimeException.class);
        assertThat(undone).as("undone after the rollback").isTrue();

        AtomicBoolean undoneAfterCommit = new AtomicBoolean();
        ledger.change(before.id(), ALICE, change -> {
            change.onRollback(() -> undoneAfterCommit.set(true));
            change.moveTo(ABORTED, null);
            return null;
        });
        assertThat(sessions().find(before.id()).orElseThrow().stage()).isEqualTo(ABORTED);
        assertThat(undoneAfterCommit).isFalse();
    }

    /** H2 can save half of a concurrent commit before a kill (SerialWrites); PostgreSQL cannot. */
    @Test
    void onH2AWriteWaitsForTheWriteBeforeItAndOnPostgresItDoesNot() throws Exception {
        boolean h2 = databaseKind() == TestDatabase.Kind.H2;
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> held = pool.submit(() -> ledger.writes().run(() -> {
                holding.countDown();
                awaitQuietly(release);
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> write = pool.submit(() -> ledger.record(
                    AuditEntry.of(AuditEvent.AUTH_DENIED, ALICE, NOW, "while another write holds its turn")));

            if (h2) {
                assertThatThrownBy(() -> write.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
                assertThat(auditRows()).isEmpty();
                release.countDown();
                write.get(10, TimeUnit.SECONDS);
            } else {
                write.get(10, TimeUnit.SECONDS);
                release.countDown();
            }
            held.get(10, TimeUnit.SECONDS);
            assertThat(auditRows()).hasSize(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void afterCommitActionsRunOnceTheChangeIsVisibleToOthers() {
        UploadSession before = sessionAt(OPEN);
        AtomicReference<Stage> seenByAnotherConnection = new AtomicReference<>();
        AtomicReference<Long> auditRowsSeen = new AtomicReference<>();

        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            ledger.change(before.id(), ALICE, change -> {
                change.moveTo(ABORTED, null);
                change.afterCommit(() -> {
                    // another thread, so not the transaction's own handle, which JDBI lends to its thread
                    try {
                        other.submit(() -> {
                            seenByAnotherConnection.set(sessions().find(before.id()).orElseThrow().stage());
                            auditRowsSeen.set((long) auditRows().size());
                        }).get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                return null;
            });
        } finally {
            other.shutdownNow();
        }

        assertThat(seenByAnotherConnection.get()).isEqualTo(ABORTED);
        assertThat(auditRowsSeen.get()).isEqualTo(1L);
    }

    @Test
    void aFailingAfterCommitActionDoesNotUndoTheCommittedChange() {
        UploadSession before = sessionAt(OPEN);
        AtomicBoolean secondRan = new AtomicBoolean();

        ledger.change(before.id(), ALICE, change -> {
            change.moveTo(ABORTED, null);
            change.afterCommit(() -> {
                throw new IllegalStateException("disk clean-up failed");
            });
            change.afterCommit(() -> secondRan.set(true));
            return null;
        });

        assertThat(sessions().find(before.id()).orElseThrow().stage()).isEqualTo(ABORTED);
        assertThat(auditRows()).hasSize(1);
        assertThat(secondRan).as("one failing action does not stop the others").isTrue();
    }

    // --- 4. opening: the limit and the client key -----------------------------------------------

    @Test
    void openInsertsTheSessionWithItsCreatedRow() {
        UploadSession fresh = fresh("alice", "key-1");

        UploadSession returned = ledger.open(fresh, 1, ALICE, Change::session);

        assertThat(returned).isEqualTo(fresh);
        assertThat(sessions().find(fresh.id())).contains(fresh);
        assertThat(auditRows()).singleElement().satisfies(row -> {
            assertThat(row.seq()).isEqualTo(1);
            assertThat(row.event()).isEqualTo("session_created");
            assertAbout(row, fresh);
            assertThat(row.detail()).isNull();
            assertThat(row.prevHash()).isEqualTo(AuditChain.GENESIS);
        });
    }

    @Test
    void openPastTheLimitIsRefusedLeavingNoSessionAndNoAuditRow() {
        ledger.open(fresh("alice", null), 2, ALICE, change -> null);
        UploadSession due = fresh("alice", null);
        ledger.open(due, 2, ALICE, change -> {
            change.moveTo(COMPLETION_DUE, "declared empty");
            return null;
        });
        AuditDao.Head head = audit().head();
        UploadSession third = fresh("alice", null);
        AtomicBoolean workRan = new AtomicBoolean();

        assertThatThrownBy(() -> ledger.open(third, 2, ALICE, change -> {
            workRan.set(true);
            return null;
        })).isInstanceOfSatisfying(UploadException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.TOO_MANY_SESSIONS));

        assertThat(workRan).isFalse();
        assertThat(sessions().find(third.id())).isEmpty();
        assertThat(audit().head()).isEqualTo(head);
        assertThat(auditRows()).hasSize(3);
        assertThat(sessions().countOpen("alice")).isEqualTo(2);

        ledger.open(fresh("bob", null), 2, ALICE, change -> null);    // another owner's limit is his own
        ledger.change(due.id(), ALICE, change -> {
            change.moveTo(ABORTED, null);
            return null;
        });
        UploadSession afterAbort = fresh("alice", null);
        ledger.open(afterAbort, 2, ALICE, change -> null);
        assertThat(sessions().find(afterAbort.id())).isPresent();
    }

    @Test
    void aSecondActiveSessionUnderTheSameClientKeyIsADuplicateAndLeavesNoRow() {
        UploadSession first = fresh("alice", "flow-123");
        ledger.open(first, 10, ALICE, change -> null);
        ledger.change(first.id(), ALICE, change -> {
            change.moveTo(ASSEMBLING, null);    // assembling still holds the key
            return null;
        });
        AuditDao.Head head = audit().head();
        UploadSession second = fresh("alice", "flow-123");

        assertThatThrownBy(() -> ledger.open(second, 10, ALICE, change -> null)).isInstanceOf(DuplicateKey.class);

        assertThat(sessions().find(second.id())).isEmpty();
        assertThat(audit().head()).isEqualTo(head);
        assertThat(auditRows()).hasSize(2);

        UploadSession othersKey = fresh("bob", "flow-123");
        ledger.open(othersKey, 10, ALICE, change -> null);
        ledger.change(first.id(), ALICE, change -> {
            change.moveTo(FAILED, null);    // a finished session gives its key up
            return null;
        });
        UploadSession again = fresh("alice", "flow-123");
        ledger.open(again, 10, ALICE, change -> null);
        assertThat(sessions().findActiveByKey("alice", "flow-123").map(UploadSession::id)).contains(again.id());
        assertThat(new AuditTrail(jdbi).verify(null).intact()).isTrue();
    }

    // --- 5. the chain ----------------------------------------------------------------------------

    @Test
    void theAuditRowsFormOneChainThatRecomputesFromTheTableAlone() {
        writeSomeHistory();

        List<AuditEntry> rows = auditRows();
        assertThat(rows).hasSize(9);
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < rows.size(); i++) {
            AuditEntry row = rows.get(i);
            assertThat(row.seq()).as("seq without gaps").isEqualTo(i + 1);
            assertThat(row.prevHash()).as("row %d follows row %d", i + 1, i).isEqualTo(prev);
            assertThat(AuditChain.hash(prev, row)).as("row %d recomputes", i + 1).isEqualTo(row.hash());
            assertThat(row.hash()).matches("[0-9a-f]{64}");
            prev = row.hash();
        }
        assertThat(audit().head()).isEqualTo(new AuditDao.Head(rows.size(), prev));

        AuditTrail.Verification verification = new AuditTrail(jdbi).verify(null);
        assertThat(verification.problem()).isNull();
        assertThat(verification.intact()).isTrue();
        assertThat(verification.rows()).isEqualTo(9);
        assertThat(verification.headSeq()).isEqualTo(9);
        assertThat(verification.headHash()).isEqualTo(prev);
        assertThat(new AuditTrail(jdbi).verify(rows.get(4).hash()).intact()).as("an earlier head is in the chain").isTrue();
    }

    @Test
    void verificationFindsARowWhoseContentWasChanged() {
        writeSomeHistory();
        jdbi.useHandle(h -> h.execute("UPDATE audit_event SET filename = 'innocent.txt' WHERE seq = 3"));

        AuditTrail.Verification verification = new AuditTrail(jdbi).verify(null);

        assertThat(verification.intact()).isFalse();
        assertThat(verification.problem()).contains("row 3");
    }

    @Test
    void verificationFindsARowDeletedFromTheMiddleOrTheEnd() {
        writeSomeHistory();
        jdbi.useHandle(h -> h.execute("DELETE FROM audit_event WHERE seq = 9"));
        assertThat(new AuditTrail(jdbi).verify(null).problem()).contains("head says 9 rows, 8 were found");

        jdbi.useHandle(h -> h.execute("DELETE FROM audit_event WHERE seq = 4"));
        assertThat(new AuditTrail(jdbi).verify(null).problem()).contains("row 4 is missing");
    }

    @Test
    void verificationFindsATrailCutBackBeforeAHeadRecordedElsewhere() {
        writeSomeHistory();
        AuditDao.Head recorded = audit().head();
        jdbi.useHandle(h -> {
            h.execute("DELETE FROM audit_event WHERE seq > 6");
            h.createUpdate("UPDATE audit_head SET seq = 6, hash = (SELECT hash FROM audit_event WHERE seq = 6)").execute();
        });

        assertThat(new AuditTrail(jdbi).verify(null).intact()).as("consistent in itself").isTrue();
        assertThat(new AuditTrail(jdbi).verify(recorded.hash()).intact()).isFalse();
    }

    /** Three sessions through several changes: nine audit rows. */
    private void writeSomeHistory() {
        UploadSession a = fresh("alice", "k-a");
        ledger.open(a, 10, ALICE, change -> {
            change.addChunk(new Chunk(a.id(), 1, 0, 1000, Chunk.EMPTY_MD5, NOW), 1, "team-a", NOW);
            change.moveTo(COMPLETION_DUE, null);
            return null;
        });
        ledger.change(a.id(), Actor.SYSTEM, change -> {
            change.moveTo(ASSEMBLING, "sweep");
            return null;
        });
        ledger.change(a.id(), Actor.SYSTEM, change -> {
            change.complete("/srv/final/a.bin", SHA, 1000);
            return null;
        });
        UploadSession b = fresh("bob", null);
        ledger.open(b, 10, new Actor("bob", null), change -> null);
        ledger.change(b.id(), Actor.cli("expire"), change -> {
            change.moveTo(EXPIRED, "idle since " + CREATED);
            return null;
        });
        UploadSession c = fresh("carol", null);
        ledger.open(c, 10, new Actor("carol", "2001:db8::1"), change -> {
            change.audit(AuditEvent.ADMIN_ACTION, "a note in the same transaction");
            return null;
        });
        ledger.change(c.id(), Actor.SYSTEM, change -> {
            change.moveTo(ABORTED, "ünïcödé détail ✓");
            return null;
        });
    }

    // --- 6. concurrency --------------------------------------------------------------------------

    @Test
    void changesOfManySessionsAtOnceLeaveOneUnbrokenChain() throws Exception {
        int threads = 8;
        int changesEach = 25;
        Ledger ticking = new Ledger(jdbi, Services.CLOCK);
        List<String> ids = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            UploadSession s = fresh("user-" + t, null);
            ticking.open(s, 10, new Actor("user-" + t, null), change -> null);
            ids.add(s.id());
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String id : ids) {
                done.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < changesEach; i++) {
                        ticking.change(id, Actor.SYSTEM, change -> {
                            // OPEN and COMPLETION_DUE alternate, each move legal
                            change.moveTo(change.session().stage() == OPEN ? COMPLETION_DUE : OPEN, null);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        long expected = threads + (long) threads * changesEach;
        AuditTrail.Verification verification = new AuditTrail(jdbi).verify(null);
        assertThat(verification.problem()).isNull();
        assertThat(verification.rows()).isEqualTo(expected);
        assertThat(verification.headSeq()).isEqualTo(expected);
        assertThat(auditRows()).hasSize((int) expected);
        for (String id : ids) {
            assertThat(audit().forSession(id)).hasSize(1 + changesEach);
            assertThat(sessions().find(id).orElseThrow().stage()).isEqualTo(COMPLETION_DUE);
        }
    }

    @Test
    void opensRacingPastTheLimitAdmitExactlyTheLimit() throws Exception {
        int threads = 8;
        int limit = 3;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                outcomes.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    try {
                        ledger.open(fresh("alice", null), limit, ALICE, change -> null);
                        return true;
                    } catch (UploadException e) {
                        assertThat(e.problem()).isEqualTo(Problem.TOO_MANY_SESSIONS);
                        return false;
                    }
                }));
            }
            int opened = 0;
            for (Future<Boolean> f : outcomes) {
                opened += f.get(120, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(opened).isEqualTo(limit);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sessions().countOpen("alice")).isEqualTo(limit);
        assertThat(auditRows()).hasSize(limit);
        assertThat(new AuditTrail(jdbi).verify(null).intact()).isTrue();
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** Everything a refused or failed change must leave as it was. */
    private record Tables(Map<String, Object> sessionRow, List<Chunk> chunks, List<AuditEntry> audit,
                          AuditDao.Head head) {}

    private Tables tables(String id) {
        Map<String, Object> row = jdbi.withHandle(h -> h.createQuery("SELECT * FROM upload_session WHERE id = :id")
                .bind("id", id).mapToMap().one());
        return new Tables(row, chunks().list(id), auditRows(), audit().head());
    }

    /**
     * A session written directly at {@code stage}, as it reads back: 1000 of 1000 bytes in three
     * chunks, created an hour before the ledger's clock, holding a client key while active.
     */
    private UploadSession sessionAt(Stage stage) {
        String id = UUID.randomUUID().toString();
        boolean completed = stage == COMPLETED;
        UploadSession s = new UploadSession(id, "alice", "team-a", "résumé " + id.substring(0, 8) + ".pdf",
                Protocol.TUS, stage.stored(), 1000L, null, 3, 1000, CREATED, CREATED, CREATED.plus(Duration.ofDays(1)),
                completed ? CREATED : null, completed ? "/srv/final/" + id : null, completed ? SHA : null,
                stage.isFinal() ? null : "key-" + id, null, "filename cmVzdW1l",
                stage == COMPLETION_DUE ? CREATED : null);
        sessions().insert(s);
        UploadSession stored = sessions().find(id).orElseThrow();
        assertThat(stored.stage()).isEqualTo(stage);
        return stored;
    }

    private static UploadSession fresh(String owner, @Nullable String clientKey) {
        String id = UUID.randomUUID().toString();
        return new UploadSession(id, owner, "team-a", "f-" + id.substring(0, 8) + ".bin", Protocol.FLOW,
                SessionState.OPEN, 1000L, 10, 0, 0, NOW, NOW, NOW.plus(Duration.ofDays(1)), null, null, null,
                clientKey, 100L, null, null);
    }

    private static UploadSession moved(UploadSession s, SessionState state, @Nullable Instant completionDueAt) {
        return new UploadSession(s.id(), s.owner(), s.groupName(), s.filename(), s.protocol(), state, s.totalSize(),
                s.totalChunks(), s.maxChunk(), s.receivedBytes(), s.createdAt(), NOW, s.expiresAt(), s.completedAt(),
                s.finalPath(), s.sha256(), s.clientKey(), s.chunkSize(), s.clientMetadata(), completionDueAt);
    }

    /** The row names the session, the actor and the time as the ledger saw them. */
    private static void assertAbout(AuditEntry row, UploadSession s) {
        assertThat(row.occurredAt()).isEqualTo(NOW);
        assertThat(row.actor()).isEqualTo("alice");
        assertThat(row.remoteAddr()).isEqualTo("203.0.113.7");
        assertThat(row.sessionId()).isEqualTo(s.id());
        assertThat(row.protocol()).isEqualTo(s.protocol().wireName());
        assertThat(row.filename()).isEqualTo(s.filename());
        assertThat(row.groupName()).isEqualTo(s.groupName());
        assertThat(row.bytes()).isEqualTo(s.receivedBytes());
    }

    private List<AuditEntry> auditRows() {
        return audit().after(0, Integer.MAX_VALUE);
    }

    private AuditDao audit() {
        return jdbi.onDemand(AuditDao.class);
    }

    private SessionDao sessions() {
        return jdbi.onDemand(SessionDao.class);
    }

    private ChunkDao chunks() {
        return jdbi.onDemand(ChunkDao.class);
    }

    /** A change of a session at {@code from} that must be refused, leaving every table as it was. */
    private void assertRefusedChangingNothing(Stage from, java.util.function.BiConsumer<io.uploads.ledger.Change, UploadSession> work) {
        UploadSession before = sessionAt(from);
        Tables tables = tables(before.id());

        assertThatThrownBy(() -> ledger.change(before.id(), ALICE, change -> {
            work.accept(change, before);
            return null;
        })).isInstanceOfSatisfying(UploadException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.SESSION_NOT_OPEN));

        assertThat(sessions().find(before.id())).contains(before);
        assertThat(tables(before.id())).isEqualTo(tables);
    }
}

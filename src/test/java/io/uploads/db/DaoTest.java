package io.uploads.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.auth.TokenRecord;
import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.DatabaseTestBase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.Test;

/** Every SqlObject method, including the row lock and the compare-and-set updates. */
abstract class DaoTest extends DatabaseTestBase {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456Z");

    private SessionDao sessions() {
        return jdbi.onDemand(SessionDao.class);
    }

    private ChunkDao chunks() {
        return jdbi.onDemand(ChunkDao.class);
    }

    private UploadSession newSession(String owner, String filename, Instant updated) {
        UploadSession s = new UploadSession(UUID.randomUUID().toString(), owner, "g", filename, Protocol.RESUMABLES,
                SessionState.OPEN, null, null, 0, 0, T0, updated, updated.plus(1, ChronoUnit.DAYS), null, null, null,
                null, null, null, null);
        sessions().insert(s);
        return s;
    }

    @Test
    void sessionRoundTripsEveryColumn() {
        UploadSession s = new UploadSession(UUID.randomUUID().toString(), "o", "grp", "näme ✓.bin", Protocol.TUS,
                SessionState.OPEN, 1234L, 7, 3, 999L, T0, T0.plusSeconds(1), T0.plusSeconds(2), null, null, null,
                "1234-n_mebin", 256L, "filename bsOkbWUg4pyTLmJpbg==,group Z3Jw", T0.plusSeconds(3));
        sessions().insert(s);

        assertThat(sessions().find(s.id())).contains(s);
    }

    private UploadSession keyed(String owner, String key) {
        UploadSession s = keyedSession(owner, key);
        sessions().insert(s);
        return s;
    }

    private static UploadSession keyedSession(String owner, String key) {
        return new UploadSession(UUID.randomUUID().toString(), owner, "g", "f.bin", Protocol.FLOW,
                SessionState.OPEN, 10L, 1, 0, 0, T0, T0, T0.plus(1, ChronoUnit.DAYS), null, null, null,
                key, 10L, null, null);
    }

    @Test
    void oneActiveSessionPerOwnerAndClientKey() {
        UploadSession first = keyed("keys", "10-f_bin");

        assertThatThrownBy(() -> keyed("keys", "10-f_bin"))
                .isInstanceOfSatisfying(JdbiException.class, e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        keyed("other-owner", "10-f_bin");
        keyed("keys", "another-key");
        assertThat(sessions().findActiveByKey("keys", "10-f_bin")).map(UploadSession::id).contains(first.id());
    }

    @Test
    void aClientKeyIsActiveThroughAssemblyAndFreeOnceTheSessionIsFinished() {
        UploadSession aborted = keyed("reuse", "k");
        sessions().transition(aborted.id(), SessionState.OPEN, SessionState.ABORTED, T0);
        UploadSession completed = keyed("reuse", "k");
        sessions().transition(completed.id(), SessionState.OPEN, SessionState.ASSEMBLING, T0);
        assertThat(sessions().findActiveByKey("reuse", "k")).map(UploadSession::id).contains(completed.id());
        sessions().complete(completed.id(), "files/g/f.bin", "c".repeat(64), T0);

        UploadSession third = keyed("reuse", "k");

        assertThat(sessions().findActiveByKey("reuse", "k")).map(UploadSession::id).contains(third.id());
        assertThat(sessions().find(completed.id()).orElseThrow().clientKey()).as("the key stays for the audit")
                .isEqualTo("k");
    }

    @Test
    void aSecondInsertOfAKeyWaitsForTheFirstTransactionAndThenViolatesTheConstraint() throws Exception {
        CountDownLatch inserted = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> jdbi.useTransaction(h -> {
            h.attach(SessionDao.class).insert(keyedSession("race", "same"));
            inserted.countDown();
            sleep(500);    // gives the second insert time to meet the uncommitted row; not asserted
        }));
        assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> keyed("race", "same"))
                .isInstanceOfSatisfying(JdbiException.class, e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        assertThat(sessions().findActiveByKey("race", "same")).as("the loser finds the winner once it has lost")
                .isPresent();
        first.get(10, TimeUnit.SECONDS);
    }

    @Test
    void sessionsWithoutAClientKeyNeverCollide() {
        newSession("nokey", "same.bin", T0);
        newSession("nokey", "same.bin", T0);

        assertThat(sessions().countOpen("nokey")).isEqualTo(2);
    }

    @Test
    void theOpenCountHoldsOpenAndAssemblingSessionsOfTheOwnerOnly() {
        newSession("counted", "open.bin", T0);
        UploadSession assembling = newSession("counted", "assembling.bin", T0);
        sessions().transition(assembling.id(), SessionState.OPEN, SessionState.ASSEMBLING, T0);
        for (SessionState finished : new SessionState[] {SessionState.ABORTED, SessionState.EXPIRED}) {
            UploadSession s = newSession("counted", finished + ".bin", T0);
            sessions().transition(s.id(), SessionState.OPEN, finished, T0);
        }
        newSession("someone-else", "open.bin", T0);

        assertThat(sessions().countOpen("counted")).isEqualTo(2);
    }

    @Test
    void aDeferredLengthIsDeclaredOnce() {
        UploadSession s = newSession("defer", "d.bin", T0);

        assertThat(sessions().declareTotalSize(s.id(), 100)).isTrue();
        assertThat(sessions().declareTotalSize(s.id(), 200)).isFalse();
        assertThat(sessions().find(s.id()).orElseThrow().totalSize()).isEqualTo(100L);
    }

    @Test
    void latestOpenIsTheMostRecentlyActiveOpenSessionOfThatOwnerAndFile() {
        newSession("latest", "a.bin", T0);
        UploadSession newer = newSession("latest", "a.bin", T0.plusSeconds(60));
        UploadSession closed = newSession("latest", "a.bin", T0.plusSeconds(120));
        sessions().transition(closed.id(), SessionState.OPEN, SessionState.ABORTED, T0.plusSeconds(120));
        newSession("latest", "b.bin", T0.plusSeconds(180));
        newSession("someone-else", "a.bin", T0.plusSeconds(240));

        assertThat(sessions().latestOpen("latest", "a.bin", Protocol.RESUMABLES, T0)).map(UploadSession::id)
                .contains(newer.id());
        assertThat(sessions().listOpen("latest", 10)).hasSize(3);
        assertThat(sessions().countOpen("latest")).isEqualTo(3);
        assertThat(sessions().listOpen("latest", 10).get(0).filename()).isEqualTo("b.bin");
    }

    @Test
    void transitionIsACompareAndSet() {
        UploadSession s = newSession("cas", "x", T0);

        assertThat(sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, T0)).isTrue();
        assertThat(sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, T0)).isFalse();
        assertThat(sessions().recordProgress(s.id(), 1, 10, "g", T0, T0)).as("only OPEN sessions progress").isFalse();
        assertThat(sessions().complete(s.id(), "files/g/x", "a".repeat(64), T0)).isTrue();
        assertThat(sessions().complete(s.id(), "files/g/y", "b".repeat(64), T0)).isFalse();

        UploadSession done = sessions().find(s.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(done.finalPath()).isEqualTo("files/g/x");
        assertThat(done.completedAt()).isEqualTo(T0);
        assertThat(sessions().findByState(SessionState.COMPLETED)).extracting(UploadSession::id).contains(s.id());
    }

    @Test
    void lockMakesASecondLockerWaitForTheFirstCommit() throws Exception {
        UploadSession s = newSession("lock", "x", T0);
        CountDownLatch locked = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> jdbi.useTransaction(h -> {
            SessionDao dao = h.attach(SessionDao.class);
            dao.lock(s.id()).orElseThrow();
            locked.countDown();
            sleep(500);    // gives the second locker time to block; not asserted
            dao.recordProgress(s.id(), 1, 42, "g", T0, T0);
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

        UploadSession seenBySecond = jdbi.inTransaction(h -> h.attach(SessionDao.class).lock(s.id()).orElseThrow());

        first.get(10, TimeUnit.SECONDS);
        assertThat(seenBySecond.receivedBytes()).as("the second lock returns only after the first commit").isEqualTo(42);
    }

    @Test
    void chunkNumbersAreUniquePerSession() {
        UploadSession s = newSession("chunks", "x", T0);
        Chunk one = new Chunk(s.id(), 1, 0, 10, "0".repeat(32), T0);
        Chunk two = new Chunk(s.id(), 2, 10, 5, "1".repeat(32), T0);
        chunks().insert(two);
        chunks().insert(one);

        assertThat(chunks().list(s.id())).containsExactly(one, two);
        assertThat(chunks().find(s.id(), 2)).contains(two);
        assertThat(chunks().count(s.id())).isEqualTo(2);
        assertThatThrownBy(() -> chunks().insert(one))
                .isInstanceOfSatisfying(JdbiException.class, e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        assertThat(chunks().delete(s.id(), 2)).isTrue();
        assertThat(chunks().list(s.id())).containsExactly(one);
    }

    @Test
    void tokensAreRevokedPerPrincipalOrById() {
        TokenDao tokens = jdbi.onDemand(TokenDao.class);
        TokenRecord a = new TokenRecord(UUID.randomUUID().toString(), "p1", "g1,g2", "uploader", T0, T0.plusSeconds(60), null);
        TokenRecord b = new TokenRecord(UUID.randomUUID().toString(), "p1", "g1", "uploader,admin", T0, T0.plusSeconds(60), null);
        TokenRecord c = new TokenRecord(UUID.randomUUID().toString(), "p2", "g1", "uploader", T0, T0.plusSeconds(60), null);
        tokens.insert(a);
        tokens.insert(b);
        tokens.insert(c);

        assertThat(tokens.find(a.jti())).contains(a);
        assertThat(tokens.find(b.jti()).orElseThrow().roles()).containsExactly("uploader", "admin");
        assertThat(tokens.revokePrincipal("p1", T0.plusSeconds(1))).isEqualTo(2);
        assertThat(tokens.revokePrincipal("p1", T0.plusSeconds(2))).as("already revoked").isZero();
        assertThat(tokens.revoke(c.jti(), T0.plusSeconds(3))).isEqualTo(1);
        assertThat(tokens.find(a.jti()).orElseThrow().validAt(T0.plusSeconds(5))).isFalse();
        assertThat(tokens.list()).hasSizeGreaterThanOrEqualTo(3);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.db.ChunkDao;
import io.uploads.db.Database;
import io.uploads.db.SessionDao;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.StorageFixture;
import io.uploads.testing.TestDatabase;
import io.uploads.testing.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SIGKILL tests of each protocol share: a database and storage of their own, one
 * uploader token, a server in a separate JVM that is started again over them after each kill,
 * and the checks that hold after every restart, whatever instant the kill hit: each chunk row's
 * bytes are on disk as recorded and are the source's bytes at its offset.
 *
 * <p>The test JVM reads the database only while a server runs (an embedded H2 database is then
 * reached through that server), and holds no connection across a kill.
 */
abstract class KillResumeBase {

    static final int MIB = 1 << 20;
    static final String OWNER = "kim";
    static final String GROUP = "kim-group";
    private static final Duration WAIT = Duration.ofSeconds(60);

    protected abstract TestDatabase.Kind databaseKind();

    @TempDir
    Path tmp;

    TestDatabase database;
    String token;
    private Map<String, String> env;
    private int starts;

    @BeforeEach
    void databaseStorageAndToken() {
        database = TestDatabase.create(databaseKind(), tmp);
        env = Map.of(
                "DATABASE_URL", database.url(),
                "DATABASE_USER", database.user(),
                "STORAGE_DIR", storage().toString(),
                "STORAGE_MIN_FREE_SPACE", "1MiB");
        token = SeparateJvm.command(env, "token-create", "--principal", OWNER, "--groups", GROUP).lastLine();
    }

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    /**
     * Starts a server over the test's database and storage and prints its recovery summary, which
     * tells where the previous kill landed. C1 only: it moves a few MiB, so a quick start matters
     * more than peak speed.
     */
    SeparateJvm.Server start() {
        SeparateJvm.Server server = SeparateJvm.Server.start(List.of("-XX:TieredStopAtLevel=1"), env,
                tmp.resolve("server-" + (++starts) + ".log"));
        server.log().lines().filter(line -> line.contains("Recovery finished")).forEach(line ->
                note("start " + starts + ": " + line.substring(line.indexOf("Recovery finished"))));
        return server;
    }

    Path storage() {
        return tmp.resolve("storage");
    }

    /** Runs a command of the service over the test's database and storage, whatever its exit code. */
    SeparateJvm.Result command(String command, String... options) {
        return SeparateJvm.commandAnyExit(env, command, options);
    }

    StorageFixture storageFixture() {
        return new StorageFixture(storage());
    }

    /**
     * Kills the server at a random instant within the next {@code withinMillis} ms and says where
     * the kill landed, for the test's output: where it lands is left to chance, what must hold
     * after it is not.
     */
    void killAtRandom(SeparateJvm.Server server, String what, long withinMillis) throws InterruptedException {
        long delay = ThreadLocalRandom.current().nextLong(withinMillis);
        Thread.sleep(delay);
        int files = storageFixture().sessionFiles().size();
        server.kill();
        note("%s: killed %d ms into its window of %d ms, %d session file%s in the store".formatted(
                what, delay, withinMillis, files, files == 1 ? "" : "s"));
    }

    /** A line in the test's output, for reading a failure: what happened where chance decides. */
    void note(String what) {
        System.out.printf("%s: %s%n", getClass().getSimpleName(), what);
    }

    /**
     * Waits until {@code request}, the last of an upload, has reached the server: its body is being
     * written into the session's file (whose content then differs from {@code before}, or which is
     * gone once the upload completed), or it was answered.
     */
    void awaitArrival(CompletableFuture<?> request, String sessionId, Map<String, String> before)
            throws InterruptedException {
        StorageFixture store = storageFixture();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!request.isDone() && store.contentsOf(sessionId).equals(before)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the last request never reached the server");
            }
            Thread.sleep(2);
        }
    }

    /**
     * Polls the service until its open upload of {@code filename} holds at least {@code bytes}, or
     * the client sending them stopped (its outcome then tells why).
     */
    void awaitServerHolds(SeparateJvm.Server server, String filename, long bytes, CompletableFuture<?> sending)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && !sending.isDone()) {
            // the caller's open uploads of every protocol (by name, the resume query finds native ones only)
            Reply open = server.http().get("/files/resumables", token);
            if (open.status() == 200 && open.json().get("resumables").findParents("filename").stream()
                    .anyMatch(s -> s.get("filename").asText().equals(filename) && s.get("next_offset").asLong() >= bytes)) {
                return;
            }
            Thread.sleep(10);
        }
        if (!sending.isDone()) {
            throw new AssertionError("the service never held " + bytes + " bytes of " + filename + ":\n" + server.log());
        }
    }

    /** Runs {@code work} on a connection pool of its own, closed afterwards; only while a server runs. */
    <T> T inDatabase(Function<Jdbi, T> work) {
        var dataSource = database.config().dataSourceFactory()
                .build(new com.codahale.metrics.MetricRegistry(), "kill-test");
        try {
            return work.apply(Database.jdbi(dataSource));
        } finally {
            try {
                dataSource.stop();
            } catch (Exception e) {
                System.err.println("could not close the test's connection pool: " + e);
            }
        }
    }

    /** Every session of the test's principal, oldest first. */
    List<UploadSession> sessions() {
        return inDatabase(jdbi -> jdbi.withHandle(h -> h.createQuery(
                                "SELECT id FROM upload_session WHERE owner = :owner ORDER BY created_at, id")
                        .bind("owner", OWNER).mapTo(String.class).list()).stream()
                .map(id -> jdbi.onDemand(SessionDao.class).find(id).orElseThrow())
                .toList());
    }

    /** The one session the client has been uploading to; a second one would be an upload started anew. */
    UploadSession onlySession() {
        List<UploadSession> sessions = sessions();
        assertThat(sessions).as("sessions of %s (a second one is the upload started anew)", OWNER).hasSize(1);
        return sessions.get(0);
    }

    List<Chunk> chunks(String sessionId) {
        return inDatabase(jdbi -> jdbi.onDemand(ChunkDao.class).list(sessionId));
    }

    /**
     * No chunk row claims bytes that are not the source's: each row's md5 is that of the source's
     * bytes at its offset, and while the session is open its stored bytes are exactly those.
     *
     * @return the rows checked
     */
    List<Chunk> assertChunkRowsHoldTheSource(UploadSession session, byte[] source) throws IOException {
        List<Chunk> rows = chunks(session.id());
        StorageFixture store = storageFixture();
        for (Chunk c : rows) {
            assertThat(c.endOffset()).as("end of chunk %d", c.chunkNumber()).isLessThanOrEqualTo(source.length);
            byte[] expected = Arrays.copyOfRange(source, Math.toIntExact(c.chunkOffset()), Math.toIntExact(c.endOffset()));
            assertThat(c.md5()).as("md5 recorded for chunk %d [%d, %d)", c.chunkNumber(), c.chunkOffset(), c.endOffset())
                    .isEqualTo(TestFiles.md5(expected));
            if (session.state() == SessionState.OPEN) {
                assertThat(TestFiles.md5(store.bytesAt(session.id(), c.chunkOffset(), Math.toIntExact(c.sizeBytes()))))
                        .as("md5 of the stored bytes of chunk %d", c.chunkNumber()).isEqualTo(c.md5());
            }
        }
        return rows;
    }

    /**
     * The upload finished as the source: its session is COMPLETED with the source's size and
     * SHA-256, the file under {@code files/<group>/<filename>} is byte-identical and the only file
     * of the group, the chunk rows run contiguously over the file and are the source's bytes, and
     * no session's bytes are left in the store.
     */
    void assertCompletedByteIdentical(String filename, byte[] source) throws IOException {
        UploadSession session = onlySession();
        String sha256 = TestFiles.sha256(source);
        assertThat(session.state()).as("state of session %s", session.id()).isEqualTo(SessionState.COMPLETED);
        assertThat(session.finalPath()).isEqualTo("files/" + GROUP + "/" + filename);
        assertThat(session.sha256()).isEqualTo(sha256);
        assertThat(session.receivedBytes()).isEqualTo(source.length);
        assertThat(TestFiles.sha256(storage().resolve(session.finalPath()))).as("SHA-256 of the final file")
                .isEqualTo(sha256);
        assertThat(filesOfGroup()).as("files of %s (a second one is a duplicate)", GROUP).containsExactly(filename);
        UploadAssertions.assertContiguous(assertChunkRowsHoldTheSource(session, source), source.length);
        assertThat(storageFixture().contentsOfAllSessions()).as("bytes left behind").isEmpty();
    }

    /** The names under {@code files/<group>}, sorted. */
    List<String> filesOfGroup() {
        try (Stream<Path> files = Files.list(storage().resolve("files").resolve(GROUP))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

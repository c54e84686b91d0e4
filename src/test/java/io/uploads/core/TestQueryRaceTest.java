package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The race of flow.js and resumable.js resuming three chunks at a time, driven on purpose: the
 * test GET of a chunk the server holds is asked while another request records the last missing
 * chunk and completes the upload. The question was asked of the active upload, so it is answered
 * 200 and the chunk is not sent again (which would start an orphan upload). A question asked once
 * the completion was answered is a new upload's, maybe of an edited file: 204 for every chunk.
 */
abstract class TestQueryRaceTest extends CoreTestBase {

    private NumberedChunks parallel;

    @BeforeEach
    void parallelUploads() {
        parallel = numbered;
    }

    @Test
    void aQuestionAskedBeforeTheUploadCompletedIsAnsweredByTheCompletedUpload() {
        byte[] file = bytes(3 * CHUNK, 61);
        send(file, 1);
        send(file, 2);
        Instant askedAt = Instant.now();    // the test GET of chunk 1 arrives ...

        UploadSession done = send(file, 3).session();    // ... the last chunk completes the upload ...
        parallel.answered(ALICE, chunk(file, 3), true);         // ... and its answer is on its way

        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(parallel.hasChunk(ALICE, chunk(file, 1), askedAt)).as("held chunk, asked before completion").isTrue();
        assertThat(parallel.hasChunk(ALICE, chunk(file, 1), Instant.now()))
                .as("asked after the completion was answered: a new upload").isFalse();
    }

    @Test
    void aQuestionArrivingWhileTheCompletionIsAnsweredIsAnsweredByTheCompletedUpload() {
        byte[] file = bytes(3 * CHUNK, 62);
        send(file, 1);
        send(file, 2);

        send(file, 3);    // completes; its answer has not been written yet

        assertThat(parallel.hasChunk(ALICE, chunk(file, 2), Instant.now())).isTrue();
        parallel.answered(ALICE, chunk(file, 3), true);
        assertThat(parallel.hasChunk(ALICE, chunk(file, 2), Instant.now())).isFalse();
    }

    /** A crash cut off the request completing the upload; recovery completed it, so its client was never told. */
    @Test
    void anUploadTheServerCompletedItselfAnswersItsClientAskingAgain() throws IOException {
        byte[] file = bytes(3 * CHUNK, 64);
        send(file, 1);
        send(file, 2);
        String id = send(file, 3).session().id();
        parallel.answered(ALICE, chunk(file, 3), true);
        // as the crashed request left it: recorded and moved to ASSEMBLING, the file not yet placed
        jdbi.useHandle(h -> h.createUpdate("UPDATE upload_session SET state = 'ASSEMBLING', final_path = NULL, "
                + "sha256 = NULL, completed_at = NULL, completion_answered = NULL WHERE id = :id").bind("id", id).execute());
        onDisk.writeAt(id, 0, file);
        Files.delete(storage.resolve("files/g/race-" + key(file)));
        completion.finishAssembly(sessions().find(id).orElseThrow(), Actor.SYSTEM);

        assertThat(parallel.hasChunk(ALICE, chunk(file, 1), Instant.now())).as("asked after recovery").isTrue();
        assertThat(parallel.hasChunk(ALICE, chunk(file, 3), Instant.now())).isTrue();
    }

    /** The server was killed after the completion committed and before its answer left. */
    @Test
    void anUploadWhoseCompletionWasNeverAnsweredAnswersItsClientAskingAgain() {
        byte[] file = bytes(3 * CHUNK, 65);
        send(file, 1);
        send(file, 2);
        send(file, 3);    // completes; the answer never leaves: the process is gone
        NumberedChunks restarted = useCases(config, Clock.systemUTC()).numbered();

        assertThat(restarted.hasChunk(ALICE, chunk(file, 2), Instant.now())).as("asked after the restart").isTrue();
        parallel.answered(ALICE, chunk(file, 3), true);
        assertThat(restarted.hasChunk(ALICE, chunk(file, 2), Instant.now())).as("once answered").isFalse();
    }

    /**
     * The completion's answer has left, and the mark that says so waits to be written (here: for
     * the session's row, held by another transaction): a question arriving meanwhile is already
     * a new upload's.
     */
    @Test
    void aQuestionArrivingAfterTheAnswerLeftButBeforeTheMarkIsWrittenIsANewUploads() throws Exception {
        byte[] file = bytes(3 * CHUNK, 67);
        send(file, 1);
        send(file, 2);
        String id = send(file, 3).session().id();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> holder = pool.submit(() -> jdbi.useTransaction(h -> {
                h.createQuery("SELECT id FROM upload_session WHERE id = :id FOR UPDATE").bind("id", id)
                        .mapTo(String.class).one();
                locked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> answered = pool.submit(() -> parallel.answered(ALICE, chunk(file, 3), true));
            Thread.sleep(500);    // what answered() does in memory takes microseconds; then it waits for the row

            assertThat(answered.isDone()).as("the mark waits for the row").isFalse();
            assertThat(parallel.hasChunk(ALICE, chunk(file, 2), Instant.now())).as("asked meanwhile").isFalse();

            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            answered.get(20, TimeUnit.SECONDS);
            assertThat(completionAnswered(id)).isTrue();
            assertThat(parallel.hasChunk(ALICE, chunk(file, 2), Instant.now())).as("asked after").isFalse();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private Boolean completionAnswered(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT completion_answered FROM upload_session WHERE id = :id")
                .bind("id", id).mapTo(Boolean.class).one());
    }

    /** The answer to the completing request could not be written out: its client is gone. */
    @Test
    void anUploadWhoseCompletionAnswerWasNotDeliveredAnswersItsClientAskingAgain() {
        byte[] file = bytes(3 * CHUNK, 66);
        send(file, 1);
        send(file, 2);
        send(file, 3);

        parallel.answered(ALICE, chunk(file, 3), false);

        assertThat(parallel.hasChunk(ALICE, chunk(file, 2), Instant.now())).as("asked again after that").isTrue();
    }

    /** The libraries send three chunks at once: another chunk's answer says nothing of the completion. */
    @Test
    void anotherChunksAnswerDoesNotMarkTheCompletionAnswered() {
        byte[] file = bytes(3 * CHUNK, 71);
        send(file, 1);
        send(file, 2);                                   // its answer is still being written out ...
        send(file, 3);                                   // ... while chunk 3 completes the upload
        parallel.answered(ALICE, chunk(file, 2), true);  // chunk 2's answer leaves
        parallel.answered(ALICE, chunk(file, 3), false); // the completing answer never reaches the client

        assertThat(parallel.hasChunk(ALICE, chunk(file, 3), Instant.now())).as("asked again after that").isTrue();
    }

    @Test
    void anotherFileUnderTheSameIdentifierIsNotAnsweredByTheCompletedUpload() {
        byte[] file = bytes(3 * CHUNK, 63);
        Instant askedAt = Instant.now();
        send(file, 1);
        send(file, 2);
        send(file, 3);

        NumberedChunk resized = new NumberedChunk(key(file), "race-" + key(file), null, 1, CHUNK / 2, CHUNK / 2,
                file.length, 6);
        assertThat(parallel.hasChunk(ALICE, resized, askedAt)).as("other chunk size").isFalse();
        assertThat(parallel.hasChunk(new Caller("bob", java.util.List.of("g"), java.util.Set.of(Caller.UPLOADER), "t"),
                chunk(file, 1), askedAt)).as("another principal").isFalse();
    }

    private SessionSnapshot send(byte[] file, int n) {
        return parallel.record(ALICE, Protocol.FLOW, chunk(file, n),
                new ByteArrayInputStream(file, (n - 1) * CHUNK, CHUNK));
    }

    private static NumberedChunk chunk(byte[] file, int n) {
        return new NumberedChunk(key(file), "race-" + key(file), null, n, CHUNK, CHUNK, file.length, 3);
    }

    private static String key(byte[] file) {
        return "key-" + java.util.Arrays.hashCode(file);
    }
}

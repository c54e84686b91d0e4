package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state a failed assembly leaves a flow upload in (every chunk recorded, OPEN again, due
 * for completion): built directly, since storage filling up mid-assembly cannot be staged here.
 */
abstract class NumberedChunksTest extends CoreTestBase {

    private NumberedChunks parallel;

    @BeforeEach
    void parallelUploads() {
        parallel = numbered;
    }

    @Test
    void anUploadWhoseAssemblyFailedIsFinishedByItsLastChunkOrByTheServer() {
        byte[] file = bytes(3 * CHUNK + 5, 51);
        UploadSession session = allChunksRecordedButOpen(file);

        assertThat(parallel.hasChunk(ALICE, chunk(session, file, 1), Instant.now())).isTrue();
        assertThat(parallel.hasChunk(ALICE, chunk(session, file, 3), Instant.now())).as("the last chunk is asked for again").isFalse();
        assertThat(expiry.expireIdleSessions()).as("a session due for completion never expires").isZero();

        SessionSnapshot resent = parallel.record(ALICE, Protocol.FLOW, chunk(session, file, 3),
                new ByteArrayInputStream(Arrays.copyOfRange(file, 2 * CHUNK, file.length)));

        assertThat(resent.session().state()).isEqualTo(SessionState.COMPLETED);
        assertThat(resent.session().sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(resent.session().completionDueAt()).isNull();
    }

    @Test
    void theSweepFinishesItWhenTheClientDoesNot() {
        byte[] file = bytes(3 * CHUNK + 5, 52);
        UploadSession session = allChunksRecordedButOpen(file);

        assertThat(completion.completeDueSessions(Instant.now().plusSeconds(1))).isEqualTo(1);

        UploadSession done = sessions().find(session.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(file));
    }

    /** Three chunks recorded through the core, then the failed assembly's release replayed. */
    private UploadSession allChunksRecordedButOpen(byte[] file) {
        String key = "key-" + file.length + "-" + Arrays.hashCode(file);
        NumberedChunk first = new NumberedChunk(key, "flow-" + key + ".bin", null, 1, CHUNK, CHUNK, file.length, 3);
        String id = parallel.record(ALICE, Protocol.FLOW, first, new ByteArrayInputStream(file, 0, CHUNK)).session().id();
        UploadSession open = sessions().find(id).orElseThrow();
        parallel.record(ALICE, Protocol.FLOW, chunk(open, file, 2), new ByteArrayInputStream(file, CHUNK, CHUNK));
        byte[] last = Arrays.copyOfRange(file, 2 * CHUNK, file.length);
        onDisk.writeAt(id, 2L * CHUNK, last);
        chunks().insert(new Chunk(id, 3, 2L * CHUNK, last.length, TestFiles.md5(last), Instant.now()));
        sessions().recordProgress(id, 3, file.length, "g", Instant.now().minusSeconds(120), Instant.now().minusSeconds(60));
        sessions().markCompletionDue(id, Instant.now().minusSeconds(120));
        return sessions().find(id).orElseThrow();
    }

    private static NumberedChunk chunk(UploadSession session, byte[] file, int n) {
        long size = n < 3 ? CHUNK : file.length - 2L * CHUNK;
        return new NumberedChunk(session.clientKey(), session.filename(), null, n, CHUNK, size, file.length, 3);
    }
}

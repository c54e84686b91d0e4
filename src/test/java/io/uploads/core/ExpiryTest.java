package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** SPEC §6: OPEN sessions idle past their TTL become EXPIRED and lose their bytes; others stay. */
abstract class ExpiryTest extends CoreTestBase {

    @Test
    void expiresOnlyOpenSessionsPastTheirExpiry() {
        UploadSession idle = upload(bytes(2 * CHUNK, 1), 2).session();
        UploadSession active = upload(bytes(CHUNK, 2), 1).session();
        UploadSession finished = upload(bytes(CHUNK, 3), 1).session();
        completion.complete(ALICE, Protocol.RESUMABLES, finished.id(), null, null);
        setExpiry(idle.id(), Instant.now().minusSeconds(60));
        setExpiry(finished.id(), Instant.now().minusSeconds(60));

        int expired = expiry.expireIdleSessions();

        assertThat(expired).isEqualTo(1);
        assertThat(sessions().find(idle.id()).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
        assertThat(onDisk.holdsAnythingFor(idle.id())).isFalse();
        assertThat(chunks().list(idle.id())).as("rows stay for the audit").hasSize(2);
        assertThat(sessions().find(active.id()).orElseThrow()).isEqualTo(active);
        assertThat(onDisk.bytesHeld(active.id())).isEqualTo(active.receivedBytes());
        assertThat(sessions().find(finished.id()).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        assertThat(expiry.expireIdleSessions()).isZero();
    }

    @Test
    void anExpiredSessionTakesNoMoreChunks() {
        UploadSession idle = upload(bytes(CHUNK, 4), 1).session();
        setExpiry(idle.id(), Instant.now().minusSeconds(1));
        expiry.expireIdleSessions();

        assertThatThrownBy(() -> sequential.append(ALICE, idle.id(), null, 2, null,
                new ByteArrayInputStream(new byte[10]), ChunkChecks.none()))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.SESSION_EXPIRED));
    }

    @Test
    void aSessionPastItsExpiryTakesNoChunkEvenBeforeTheSweep() {
        UploadSession idle = upload(bytes(CHUNK, 4), 1).session();
        setExpiry(idle.id(), Instant.now().minusSeconds(1));

        assertThatThrownBy(() -> sequential.append(ALICE, idle.id(), null, 2, null,
                new ByteArrayInputStream(new byte[10]), ChunkChecks.none()))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.SESSION_EXPIRED));
        assertThat(sessions().find(idle.id()).orElseThrow().receivedBytes()).isEqualTo(idle.receivedBytes());
    }

    /**
     * A flow upload past its expiry that the minute's sweep has not reached yet holds nothing: the
     * test GET says so, and the next chunk expires it and starts a new upload, rather than the
     * client skipping chunks whose bytes the sweep is about to delete.
     */
    @Test
    void aFlowUploadPastItsExpiryBeforeTheSweepHoldsNothingAndItsNextChunkStartsANewUpload() throws Exception {
        byte[] file = bytes(3 * CHUNK, 9);
        String key = "expired-flow";
        UploadSession old = numbered.record(ALICE, Protocol.FLOW, flowChunk(key, file, 1),
                new ByteArrayInputStream(java.util.Arrays.copyOf(file, CHUNK))).session();
        setExpiry(old.id(), Instant.now().minusSeconds(1));

        assertThat(numbered.hasChunk(ALICE, flowChunk(key, file, 1), Instant.now())).isFalse();
        UploadSession fresh = numbered.record(ALICE, Protocol.FLOW, flowChunk(key, file, 2),
                new ByteArrayInputStream(java.util.Arrays.copyOfRange(file, CHUNK, 2 * CHUNK))).session();

        assertThat(fresh.id()).isNotEqualTo(old.id());
        assertThat(sessions().find(old.id()).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
        assertThat(onDisk.holdsAnythingFor(old.id())).isFalse();
        numbered.record(ALICE, Protocol.FLOW, flowChunk(key, file, 1), new ByteArrayInputStream(java.util.Arrays.copyOf(file, CHUNK)));
        UploadSession done = numbered.record(ALICE, Protocol.FLOW, flowChunk(key, file, 3),
                new ByteArrayInputStream(java.util.Arrays.copyOfRange(file, 2 * CHUNK, 3 * CHUNK))).session();
        assertThat(done.id()).isEqualTo(fresh.id());
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(java.nio.file.Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(file);
    }

    private static NumberedChunk flowChunk(String key, byte[] file, int n) {
        return new NumberedChunk(key, key + ".bin", null, n, CHUNK, CHUNK, file.length, 3);
    }

    @Test
    void theSweepCompletesASessionDueForCompletionOnlyOnceItHasBeenDueForAWhile() {
        byte[] file = bytes(CHUNK, 12);
        UploadSession s = offsets.create(ALICE, Protocol.TUS, "full.bin", null, (long) file.length, null);
        offsets.append(ALICE, s.id(), 0, null, new ByteArrayInputStream(file, 0, CHUNK - 1), ChunkChecks.none());
        onDisk.writeAt(s.id(), CHUNK - 1, new byte[] {file[CHUNK - 1]});
        chunks().insert(new Chunk(s.id(), 2, CHUNK - 1, 1, TestFiles.md5(new byte[] {file[CHUNK - 1]}), Instant.now()));
        Instant filledAt = Instant.now();
        sessions().recordProgress(s.id(), 2, CHUNK, "g", filledAt, filledAt.plusSeconds(3600));
        sessions().markCompletionDue(s.id(), filledAt);    // as the transaction of the last bytes does

        assertThat(completion.completeDueSessions(filledAt.minusSeconds(60))).as("full only just now").isZero();
        assertThat(completion.completeDueSessions(filledAt.plusSeconds(1))).isEqualTo(1);

        UploadSession done = sessions().find(s.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(completion.completeDueSessions(filledAt.plusSeconds(1))).isZero();
    }

    private void setExpiry(String id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE upload_session SET expires_at = :at WHERE id = :id")
                .bind("at", at).bind("id", id).execute());
    }
}

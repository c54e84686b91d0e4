package io.uploads.core;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.util.DataSize;
import io.uploads.config.UploadsConfig;
import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.Services;
import io.uploads.db.ClaimDao;
import io.uploads.testing.CommitFails;
import io.uploads.testing.MovableClock;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Appends at offsets (tus) racing on one session, and a full session's life after a failed completion. */
abstract class OffsetUploadsTest extends CoreTestBase {

    private static ChunkChecks tus(long contentLength) {
        return new ChunkChecks(null, null, contentLength, true, true);
    }

    @Test
    void aSecondWriterWhileABodyStreamsIsRefusedAtOnceWithoutItsBodyBeingRead() throws Exception {
        String id = offsets.create(ALICE, Protocol.TUS, "declared.bin", null, null, null).id();
        HeldBody held = new HeldBody(bytes(100, 1));
        CompletableFuture<UploadSession> streaming = CompletableFuture.supplyAsync(
                () -> offsets.append(ALICE, id, 0, null, held, tus(100)));
        held.awaitFirstRead();
        HeldBody second = new HeldBody(bytes(100, 3));

        assertThatThrownBy(() -> offsets.append(ALICE, id, 0, null, second, tus(100)))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.WRITER_BUSY));
        assertThat(second.wasRead()).as("the second body was read").isFalse();
        held.release();

        assertThat(streaming.get(10, TimeUnit.SECONDS).receivedBytes()).isEqualTo(100);
        UploadSession s = sessions().find(id).orElseThrow();
        assertThat(s.totalSize()).as("the refused request declared nothing").isNull();
        assertThat(s.receivedBytes()).isEqualTo(100);
        assertThat(onDisk.bytesAt(id, 0, 100)).isEqualTo(bytes(100, 1));
    }

    @Test
    void aLengthDeclaredWhileAnotherRequestDeclaresOneIsRefusedAndTheFirstKept() throws Exception {
        String id = offsets.create(ALICE, Protocol.TUS, "twice.bin", null, null, null).id();
        HeldBody held = new HeldBody(bytes(100, 2));
        CompletableFuture<UploadSession> streaming = CompletableFuture.supplyAsync(
                () -> offsets.append(ALICE, id, 0, 100L, held, tus(100)));
        held.awaitFirstRead();

        assertThatThrownBy(() -> offsets.append(ALICE, id, 0, 50L, new ByteArrayInputStream(new byte[0]), tus(0)))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.WRITER_BUSY));
        held.release();

        UploadSession done = streaming.get(10, TimeUnit.SECONDS);
        assertThat(done.totalSize()).isEqualTo(100L);
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(bytes(100, 2));
    }

    /** A claim left by an instance that was killed mid-body keeps writers out only until it expires. */
    @Test
    void aStaleClaimExpiresAndTheNextWriterTakesOver() {
        String id = offsets.create(ALICE, Protocol.TUS, "stale.bin", null, 100L, null).id();
        Instant now = Instant.now();
        jdbi.onDemand(ClaimDao.class).insert("killed", id, 0, WriterClaims.TO_THE_END, "1@gone-host", now.plusSeconds(2));
        onDisk.writeAt(id, 0, bytes(60, 4));    // what the killed writer got to write, never recorded

        assertThatThrownBy(() -> offsets.append(ALICE, id, 0, null, new ByteArrayInputStream(bytes(100, 5)), tus(100)))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.WRITER_BUSY));
        MovableClock later = new MovableClock(now.plus(WriterClaims.TIME_TO_LIVE));
        OffsetUploads afterExpiry = useCases(config, later).offsets();

        UploadSession done = afterExpiry.append(ALICE, id, 0, null, new ByteArrayInputStream(bytes(100, 5)), tus(100));

        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(bytes(100, 5)));
        int claimsLeft = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM writer_claim").mapTo(Integer.class).one());
        assertThat(claimsLeft).isZero();
    }

    /**
     * The writer of the last bytes links the final name before the transaction that records them:
     * when that transaction fails, giving the claim up removes the name and cuts the file back.
     */
    @Test
    void lastBytesWhoseTransactionFailsLeaveNoFinalNameAndTheFileAsItWas() throws Exception {
        AtomicBoolean bodyEnded = new AtomicBoolean();
        Jdbi failing = database.jdbi();
        failing.setTransactionHandler(new CommitFails(() -> bodyEnded.getAndSet(false)));
        OffsetUploads failingOnce = useCases(config, Services.CLOCK, failing).offsets();
        String id = offsets.create(ALICE, Protocol.TUS, "last.bin", null, 200L, null).id();
        offsets.append(ALICE, id, 0, null, new ByteArrayInputStream(bytes(100, 1)), tus(100));
        InputStream lastBytes = new ByteArrayInputStream(bytes(100, 2)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, len);
                bodyEnded.compareAndSet(false, n < 0);   // the next transaction to end records these bytes
                return n;
            }
        };

        assertThatThrownBy(() -> failingOnce.append(ALICE, id, 100, null, lastBytes, tus(100)))
                .hasMessageContaining("commit failed");

        assertThat(storage.resolve("files/g/last.bin")).as("the name placed ahead of the commit").doesNotExist();
        UploadSession s = sessions().find(id).orElseThrow();
        assertThat(s.state()).isEqualTo(SessionState.OPEN);
        assertThat(s.receivedBytes()).isEqualTo(100);
        assertThat(onDisk.bytesHeld(id)).as("cut back to the recorded bytes").isEqualTo(100);
        int claimsLeft = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM writer_claim").mapTo(Integer.class).one());
        assertThat(claimsLeft).isZero();

        UploadSession done = offsets.append(ALICE, id, 100, null, new ByteArrayInputStream(bytes(100, 2)), tus(100));
        assertThat(done.finalPath()).isEqualTo("files/g/last.bin");
        byte[] whole = new byte[200];
        System.arraycopy(bytes(100, 1), 0, whole, 0, 100);
        System.arraycopy(bytes(100, 2), 0, whole, 100, 100);
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(whole);
    }

    @Test
    void anUploadHoldingEveryByteIsNeverExpiredWhileItWaitsForCompletion() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        UploadsConfig reject = new UploadsConfig(DataSize.mebibytes(10), DataSize.gibibytes(1), 1000,
                io.dropwizard.util.Duration.days(1), ExistingFilePolicy.reject, io.dropwizard.util.Duration.seconds(0));
        UseCases service = useCases(reject, clock);
        String id = service.offsets().create(ALICE, Protocol.TUS, "taken.bin", null, 1000L, null).id();
        Files.write(Files.createDirectories(storage.resolve("files/g")).resolve("taken.bin"), new byte[] {1});
        assertThatThrownBy(() -> service.offsets().append(ALICE, id, 0, null,
                new ByteArrayInputStream(bytes(1000, 3)), tus(1000)))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.FILE_EXISTS));

        clock.advance(Duration.ofDays(2));

        assertThat(service.expiry().expireIdleSessions()).isZero();
        UploadSession waiting = sessions().find(id).orElseThrow();
        assertThat(waiting.state()).isEqualTo(SessionState.OPEN);
        assertThat(waiting.receivedBytes()).isEqualTo(1000);
        assertThat(onDisk.bytesHeld(id)).isEqualTo(1000);
        Files.delete(storage.resolve("files/g/taken.bin"));
        assertThat(service.completion().completeDueSessions(clock.instant())).isEqualTo(1);
        assertThat(sessions().find(id).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
    }

    /** A request body whose bytes arrive only once the test lets them. */
    private static final class HeldBody extends InputStream {
        private final ByteArrayInputStream bytes;
        private final CountDownLatch firstRead = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile boolean read;

        HeldBody(byte[] data) {
            this.bytes = new ByteArrayInputStream(data);
        }

        void awaitFirstRead() throws InterruptedException {
            assertThat(firstRead.await(10, TimeUnit.SECONDS)).isTrue();
        }

        void release() {
            released.countDown();
        }

        boolean wasRead() {
            return read;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("read in buffers");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            read = true;
            firstRead.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            return bytes.read(b, off, len);
        }
    }
}

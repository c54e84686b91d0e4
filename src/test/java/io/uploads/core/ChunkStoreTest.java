package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.core.ChunkStore.Reading;
import io.uploads.core.ChunkStore.Received;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkStoreTest {

    private static final String SESSION = "6f1c1f0e-7d0a-4c55-9d3b-2b1b6e0e4b10";

    @TempDir
    Path root;

    private ChunkStore store() {
        return ChunkStore.open(root, 0);
    }

    private static Reading upTo(long max, long expected) {
        return new Reading(max, expected, null, false);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 256 * 1024, 256 * 1024 + 1, 1_000_000})
    void writesTheBytesAtTheirOffsetWithTheirMd5(int size) throws IOException {
        byte[] bytes = bytes(size, size);
        ChunkStore store = store();

        Received received = store.write(SESSION, 100, new ByteArrayInputStream(bytes), upTo(size, size), null,
                ChunkStore.Progress.NONE);

        assertThat(received.offset()).isEqualTo(100);
        assertThat(received.size()).isEqualTo(size);
        assertThat(received.md5()).isEqualTo(TestFiles.md5(bytes));
        byte[] onDisk = Files.readAllBytes(store.sessionFile(SESSION));
        assertThat(onDisk).hasSize(size == 0 ? 0 : 100 + size);    // writing nothing does not make the file longer
        assertThat(Arrays.copyOfRange(onDisk, Math.min(100, onDisk.length), onDisk.length)).isEqualTo(bytes);
    }

    @Test
    void chunksWrittenOutOfOrderMakeTheFileAndTheRunningDigestItsSha256() throws Exception {
        byte[] file = bytes(3000, 1);
        ChunkStore store = store();
        MessageDigest running = MessageDigest.getInstance("SHA-256");

        store.write(SESSION, 2000, new ByteArrayInputStream(file, 2000, 1000), upTo(1000, 1000), null, ChunkStore.Progress.NONE);
        store.write(SESSION, 0, new ByteArrayInputStream(file, 0, 1000), upTo(1000, 1000), running, ChunkStore.Progress.NONE);
        store.write(SESSION, 1000, new ByteArrayInputStream(file, 1000, 1000), upTo(1000, 1000), running, ChunkStore.Progress.NONE);

        assertThat(Files.readAllBytes(store.sessionFile(SESSION))).isEqualTo(file);
        running.update(file, 2000, 1000);
        assertThat(HexFormat.of().formatHex(running.digest())).isEqualTo(TestFiles.sha256(file));
    }

    /** Past its first buffers a body is hashed on a second thread: the digests must still be of every byte, in order. */
    @Test
    void aLongBodyHasTheDigestsOfAllItsBytesInOrder() throws Exception {
        byte[] head = bytes(1234, 3);
        byte[] body = bytes(5 * 1024 * 1024 + 17, 4);
        MessageDigest running = MessageDigest.getInstance("SHA-256");
        running.update(head);
        ChunkStore store = store();

        Received received = store.write(SESSION, head.length, new ByteArrayInputStream(body),
                new Reading(body.length, body.length, "SHA-1", false), running, ChunkStore.Progress.NONE);

        assertThat(received.md5()).isEqualTo(TestFiles.md5(body));
        assertThat(received.digest()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(body));
        MessageDigest whole = MessageDigest.getInstance("SHA-256");
        whole.update(head);
        whole.update(body);
        assertThat(running.digest()).isEqualTo(whole.digest());
        assertThat(Arrays.copyOfRange(Files.readAllBytes(store.sessionFile(SESSION)), head.length, head.length + body.length))
                .isEqualTo(body);
    }

    @Test
    void aLongBodyCutOffKeepsTheDigestsOfWhatArrived() throws Exception {
        int arrived = 3 * 1024 * 1024 + 5;
        MessageDigest running = MessageDigest.getInstance("SHA-256");

        Received kept = store().write(SESSION, 0, breakingAfter(arrived), new Reading(10_000_000, 10_000_000, null, true),
                running, ChunkStore.Progress.NONE);

        byte[] expected = new byte[arrived];
        Arrays.fill(expected, (byte) 42);
        assertThat(kept.interrupted()).isTrue();
        assertThat(kept.size()).isEqualTo(arrived);
        assertThat(kept.md5()).isEqualTo(TestFiles.md5(expected));
        assertThat(HexFormat.of().formatHex(running.digest())).isEqualTo(TestFiles.sha256(expected));
    }

    @Test
    void aDigestOnlyReadWritesNothing() {
        ChunkStore store = store();
        byte[] bytes = bytes(500, 2);

        Received received = store.digestOnly(new ByteArrayInputStream(bytes), 0, upTo(500, 500));

        assertThat(received.md5()).isEqualTo(TestFiles.md5(bytes));
        assertThat(store.fileSize(SESSION)).isEqualTo(-1);
        assertThat(store.sessionIdsOnDisk()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {11, 1_000_000})
    void refusesMoreThanTheLimit(int size) {
        assertThatThrownBy(() -> store().write(SESSION, 0, new ByteArrayInputStream(new byte[size]), upTo(10, -1),
                null, ChunkStore.Progress.NONE))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.TOO_LARGE));
    }

    @Test
    void aBodyShorterThanDeclaredIsIncomplete() {
        assertThatThrownBy(() -> store().write(SESSION, 0, new ByteArrayInputStream(new byte[5]), upTo(100, 6),
                null, ChunkStore.Progress.NONE))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.INCOMPLETE_BODY));
    }

    @Test
    void aConnectionThatBreaksMidBodyIsIncompleteUnlessTheProtocolKeepsWhatArrived() {
        assertThatThrownBy(() -> store().write(SESSION, 0, breakingAfter(1000), upTo(1_000_000, -1), null,
                ChunkStore.Progress.NONE))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.INCOMPLETE_BODY));

        Received kept = store().write(SESSION, 0, breakingAfter(1000), new Reading(1_000_000, 5000, null, true),
                null, ChunkStore.Progress.NONE);

        assertThat(kept.interrupted()).isTrue();
        assertThat(kept.size()).isEqualTo(1000);
    }

    @Test
    void truncateCutsBytesPastTheGivenLengthOnly() {
        ChunkStore store = store();
        store.write(SESSION, 0, new ByteArrayInputStream(new byte[1000]), upTo(1000, 1000), null, ChunkStore.Progress.NONE);

        store.truncate(SESSION, 2000);
        assertThat(store.fileSize(SESSION)).isEqualTo(1000);
        store.truncate(SESSION, 400);
        assertThat(store.fileSize(SESSION)).isEqualTo(400);
        store.truncate("no-such-session", 0);
        assertThat(store.fileSize("no-such-session")).isEqualTo(-1);
    }

    @Test
    void progressIsToldAfterEveryBufferWritten() {
        int[] told = new int[1];
        store().write(SESSION, 0, new ByteArrayInputStream(new byte[1_000_000]), upTo(1_000_000, -1), null,
                () -> told[0]++);

        assertThat(told[0]).isEqualTo(4);    // 256 KiB buffers
    }

    @Test
    void refusesWorkWhenFreeSpaceWouldFallBelowTheMinimum() {
        ChunkStore greedy = new ChunkStore(root, Long.MAX_VALUE / 2);

        assertThatThrownBy(() -> greedy.write(SESSION, 0, new ByteArrayInputStream(new byte[1]), upTo(10, 1), null,
                ChunkStore.Progress.NONE))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.STORAGE_FULL));
    }

    private static InputStream breakingAfter(int bytes) {
        return new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < bytes) {
                    return 42;
                }
                throw new IOException("Early EOF");
            }

            /** As a socket does: what has arrived, at most 8 KiB at a time. */
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent >= bytes) {
                    throw new IOException("Early EOF");
                }
                int n = Math.min(Math.min(len, 8192), bytes - sent);
                Arrays.fill(b, off, off + n, (byte) 42);
                sent += n;
                return n;
            }

            @Override
            public int available() {
                return Math.min(8192, bytes - sent);
            }
        };
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}

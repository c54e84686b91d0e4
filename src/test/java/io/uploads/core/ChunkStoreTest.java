package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkStoreTest {

    private static final String SESSION = "6f1c1f0e-7d0a-4c55-9d3b-2b1b6e0e4b10";

    @TempDir
    Path root;

    private ChunkStore store() {
        return new ChunkStore(root, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 256 * 1024, 256 * 1024 + 1, 1_000_000})
    void stagesTheBytesWithTheirMd5(int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);

        ChunkStore.StagedChunk staged = store().stage(SESSION, new ByteArrayInputStream(bytes), size, size);

        assertThat(staged.size()).isEqualTo(size);
        assertThat(staged.md5()).isEqualTo(TestFiles.md5(bytes));
        assertThat(Files.readAllBytes(staged.file())).isEqualTo(bytes);
        assertThat(staged.file().getFileName().toString()).endsWith(".part");
    }

    @Test
    void commitMovesTheChunkUnderItsNumber() throws IOException {
        ChunkStore store = store();
        ChunkStore.StagedChunk staged = store.stage(SESSION, new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, -1);

        store.commit(staged, SESSION, 7);

        assertThat(staged.file()).doesNotExist();
        assertThat(Files.readAllBytes(store.chunkPath(SESSION, 7))).containsExactly(1, 2, 3);
        assertThat(store.chunkNumbersOnDisk(SESSION)).containsExactly(7);
        assertThat(store.chunkFileSize(SESSION, 7)).isEqualTo(3);
        assertThat(store.chunkFileSize(SESSION, 8)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {11, 1_000_000})
    void refusesMoreThanTheLimitAndKeepsNothing(int size) {
        assertThatThrownBy(() -> store().stage(SESSION, new ByteArrayInputStream(new byte[size]), 10, -1))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.TOO_LARGE));
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void aBodyShorterThanDeclaredIsIncompleteAndKeepsNothing() {
        assertThatThrownBy(() -> store().stage(SESSION, new ByteArrayInputStream(new byte[5]), 100, 6))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.INCOMPLETE_BODY));
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void aConnectionThatBreaksMidBodyIsIncompleteAndKeepsNothing() {
        InputStream breaking = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 1000) {
                    return 42;
                }
                throw new IOException("Early EOF");
            }
        };

        assertThatThrownBy(() -> store().stage(SESSION, breaking, 1_000_000, -1))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.INCOMPLETE_BODY));
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void refusesWorkWhenFreeSpaceWouldFallBelowTheMinimum() {
        ChunkStore greedy = new ChunkStore(root, Long.MAX_VALUE / 2);

        assertThatThrownBy(() -> greedy.stage(SESSION, new ByteArrayInputStream(new byte[1]), 10, 1))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.STORAGE_FULL));
    }

    @Test
    void deletesOnlyTemporaryFilesOlderThanTheCutoff() throws IOException {
        ChunkStore store = store();
        Files.createDirectories(store.sessionDir(SESSION));
        Path part = Files.write(store.sessionDir(SESSION).resolve("x.part"), new byte[1]);
        Path chunk = Files.write(store.chunkPath(SESSION, 1), new byte[1]);

        assertThat(store.deleteTemporaryFiles(Instant.now().minusSeconds(3600))).isZero();
        assertThat(store.deleteTemporaryFiles(Instant.now().plusSeconds(1))).isEqualTo(1);
        assertThat(part).doesNotExist();
        assertThat(chunk).exists();
    }

    private Stream<Path> partFiles() {
        try {
            return Files.walk(root).filter(p -> p.toString().endsWith(".part")).toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AssemblerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    @ParameterizedTest
    @CsvSource({"report.pdf,0,report.pdf", "report.pdf,1,report-1.pdf", "archive.tar.gz,2,archive.tar-2.gz",
            "README,3,README-3", ".profile,1,.profile-1"})
    void namesACopyWithANumericSuffix(String name, int attempt, String expected) {
        assertThat(Assembler.candidateName(name, attempt)).isEqualTo(expected);
    }

    @Test
    void concatenatesChunksAndHashesThemOnce() throws IOException {
        byte[] file = bytes(700_000);
        UploadSession session = sessionWithChunks("s1", file, 3);

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 3));

        assertThat(placed.relativePath()).isEqualTo("files/g/data.bin");
        assertThat(Files.readAllBytes(root.resolve(placed.relativePath()))).isEqualTo(file);
        assertThat(placed.sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(placed.size()).isEqualTo(file.length);
    }

    @Test
    void anUploadWithNoChunksBecomesAnEmptyFile() throws IOException {
        UploadSession empty = new UploadSession("s0", "alice", "g", "empty.bin", Protocol.TUS, SessionState.ASSEMBLING,
                0L, null, 0, 0, T0, T0, T0, null, null, null, null, null, null, null);

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(empty, List.of());

        assertThat(root.resolve(placed.relativePath())).isEmptyFile();
        assertThat(placed.sha256()).isEqualTo(TestFiles.sha256(new byte[0]));
    }

    @Test
    void neverOverwritesAnExistingFile() throws IOException {
        byte[] existing = bytes(10);
        Files.createDirectories(root.resolve("files/g"));
        Files.write(root.resolve("files/g/data.bin"), existing);
        byte[] file = bytes(1000);
        UploadSession session = sessionWithChunks("s2", file, 1);

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 1));

        assertThat(placed.relativePath()).isEqualTo("files/g/data-1.bin");
        assertThat(Files.readAllBytes(root.resolve("files/g/data.bin"))).isEqualTo(existing);
        assertThat(Files.readAllBytes(root.resolve(placed.relativePath()))).isEqualTo(file);
    }

    @Test
    void theRejectPolicyRefusesATakenName() throws IOException {
        Files.createDirectories(root.resolve("files/g"));
        Files.write(root.resolve("files/g/data.bin"), new byte[1]);
        byte[] file = bytes(1000);
        UploadSession session = sessionWithChunks("s3", file, 2);

        assertThatThrownBy(() -> assembler(ExistingFilePolicy.reject).assemble(session, chunksOf(session, file, 2)))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.FILE_EXISTS));
        assertThat(Files.readAllBytes(root.resolve("files/g/data.bin"))).hasSize(1);
    }

    @Test
    void aMissingChunkMakesTheBytesUnusable() throws IOException {
        byte[] file = bytes(1000);
        UploadSession session = sessionWithChunks("s4", file, 2);
        Files.delete(new ChunkStore(root, 0).chunkPath("s4", 2));

        assertThatThrownBy(() -> assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 2)))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.BYTES_UNUSABLE));
        assertThat(root.resolve("files/g/data.bin")).doesNotExist();
    }

    private Assembler assembler(ExistingFilePolicy policy) {
        return new Assembler(new ChunkStore(root, 0), policy);
    }

    /** Writes {@code parts} chunk files for a session holding {@code file}. */
    private UploadSession sessionWithChunks(String id, byte[] file, int parts) {
        ChunkStore store = new ChunkStore(root, 0);
        int size = (file.length + parts - 1) / parts;
        for (int n = 1, from = 0; from < file.length; n++, from += size) {
            byte[] part = Arrays.copyOfRange(file, from, Math.min(file.length, from + size));
            store.commit(store.stage(id, new ByteArrayInputStream(part), part.length, part.length), id, n);
        }
        return new UploadSession(id, "alice", "g", "data.bin", Protocol.RESUMABLES, SessionState.ASSEMBLING, null, null,
                parts, file.length, T0, T0, T0, null, null, null, null, null, null, null);
    }

    private static List<Chunk> chunksOf(UploadSession session, byte[] file, int parts) {
        int size = (file.length + parts - 1) / parts;
        List<Chunk> chunks = new ArrayList<>();
        for (int n = 1, from = 0; from < file.length; n++, from += size) {
            chunks.add(new Chunk(session.id(), n, from, Math.min(file.length, from + size) - from, "x", T0));
        }
        return chunks;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}

package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /** A valid filename may fill the file system's 255 bytes: its numbered names are cut to fit, never split a character. */
    @Test
    void aNumberedNameOfALongFilenameStaysWithin255BytesAndKeepsItsExtension() {
        String ascii = "n".repeat(251) + ".txt";
        assertThat(Assembler.candidateName(ascii, 1)).isEqualTo("n".repeat(249) + "-1.txt");
        assertThat(Assembler.candidateName(ascii, 1234)).isEqualTo("n".repeat(246) + "-1234.txt");
        String wide = "ø".repeat(125) + ".pdf";      // 2 bytes a character: 254 bytes
        String numbered = Assembler.candidateName(wide, 7);
        assertThat(numbered).isEqualTo("ø".repeat(124) + "-7.pdf");
        assertThat(numbered.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(255);
        String allExtension = "." + "e".repeat(254);
        assertThat(Assembler.candidateName(allExtension, 3)).isEqualTo("." + "e".repeat(252) + "-3");
        String longExtension = "a." + "e".repeat(253);
        assertThat(Assembler.candidateName(longExtension, 3)).isEqualTo("a." + "e".repeat(251) + "-3");
    }

    @Test
    void aTakenFilenameOf255BytesIsPlacedUnderANumberedNameThatFits() throws IOException {
        String name = "n".repeat(251) + ".txt";
        byte[] file = bytes(3000);
        UploadSession session = sessionWithChunks("s-long", file, 1, name);
        Files.createDirectories(root.resolve("files/g"));
        Files.write(root.resolve("files/g").resolve(name), new byte[] {1});

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 1), null);

        assertThat(placed.relativePath()).isEqualTo("files/g/" + "n".repeat(249) + "-1.txt");
        assertThat(Files.readAllBytes(root.resolve(placed.relativePath()))).isEqualTo(file);
    }

    @Test
    void linksTheSessionsFileUnderItsFinalNameWithoutACopy() throws IOException {
        byte[] file = bytes(700_000);
        UploadSession session = sessionWithChunks("s1", file, 3);
        Path sessionFile = new ChunkStore(root, 0).sessionFile("s1");

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 3), null);

        assertThat(placed.relativePath()).isEqualTo("files/g/data.bin");
        assertThat(Files.readAllBytes(root.resolve(placed.relativePath()))).isEqualTo(file);
        assertThat(Files.isSameFile(root.resolve(placed.relativePath()), sessionFile)).as("one inode, no copy").isTrue();
        assertThat(placed.sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(placed.size()).isEqualTo(file.length);
    }

    @Test
    void bytesPastTheRecordedOnesAreCutOff() throws IOException {
        byte[] file = bytes(5000);
        UploadSession session = sessionWithChunks("s5", file, 2);
        Files.write(new ChunkStore(root, 0).sessionFile("s5"), new byte[77], StandardOpenOption.APPEND);

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 2), null);

        assertThat(Files.readAllBytes(root.resolve(placed.relativePath()))).isEqualTo(file);
        assertThat(placed.sha256()).isEqualTo(TestFiles.sha256(file));
    }

    @Test
    void theRunningDigestIsUsedAndReadOnFromWhereItStops() throws IOException {
        byte[] file = bytes(9000);
        UploadSession session = sessionWithChunks("s6", file, 3);
        RunningDigests digests = new RunningDigests();
        java.security.MessageDigest firstThird = digests.continuing("s6", 0);
        firstThird.update(file, 0, 3000);
        digests.advanced("s6", 0, 3000, firstThird);

        Assembler.Placed placed = new Assembler(new ChunkStore(root, 0), digests, ExistingFilePolicy.rename)
                .assemble(session, chunksOf(session, file, 3), null);

        assertThat(placed.sha256()).isEqualTo(TestFiles.sha256(file));
    }

    /** The last bytes of a completion in their own transaction: written, not yet committed nor advanced. */
    @Test
    void theDigestOfBytesNotYetCommittedTakesOverFromTheRunningOne() throws IOException {
        byte[] file = bytes(9000);
        UploadSession session = sessionWithChunks("s8", file, 3);
        java.security.MessageDigest throughTheLast = ChunkStore.digest("SHA-256");
        throughTheLast.update(file, 0, 6000);
        ChunkStore.Received last = new ChunkStore.Received(3000, 3000, "x", null, throughTheLast, false);

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 3), last);

        assertThat(placed.sha256()).as("the digest up to 6000, read on from there").isEqualTo(TestFiles.sha256(file));
    }

    @Test
    void aNamePlacedForTheSessionIsFoundAndIsNotTakenForItButIsForAnother() throws IOException {
        byte[] file = bytes(2000);
        Files.createDirectories(root.resolve("files/g"));
        Files.write(root.resolve("files/g/data.bin"), new byte[1]);
        UploadSession session = sessionWithChunks("s9", file, 1);
        Assembler assembler = assembler(ExistingFilePolicy.reject);
        assertThat(assembler.placedName(session)).isEmpty();
        Files.delete(root.resolve("files/g/data.bin"));
        Assembler.Placed placed = assembler.assemble(session, chunksOf(session, file, 1), null);
        Path name = root.resolve(placed.relativePath());

        assertThat(assembler.placedName(session)).contains(name);
        assertThat(assembler.nameTaken("g", "data.bin", "s9")).as("its own").isFalse();
        assertThat(assembler.nameTaken("g", "data.bin", "another")).isTrue();
        assembler.unplace(name);
        assertThat(name).doesNotExist();
        assertThat(new ChunkStore(root, 0).sessionFile("s9")).hasBinaryContent(file);
        assertThat(assembler.placedName(session)).isEmpty();
    }

    @Test
    void chunksThatLeaveAGapMakeTheBytesUnusable() {
        byte[] file = bytes(3000);
        UploadSession session = sessionWithChunks("s7", file, 3);
        List<Chunk> gap = new ArrayList<>(chunksOf(session, file, 3));
        gap.remove(1);

        assertThatThrownBy(() -> assembler(ExistingFilePolicy.rename).assemble(session, gap, null))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.BYTES_UNUSABLE));
    }

    @Test
    void anUploadWithNoChunksBecomesAnEmptyFile() throws IOException {
        UploadSession empty = new UploadSession("s0", "alice", "g", "empty.bin", Protocol.TUS, SessionState.ASSEMBLING,
                0L, null, 0, 0, T0, T0, T0, null, null, null, null, null, null, null);

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(empty, List.of(), null);

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

        Assembler.Placed placed = assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 1), null);

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

        assertThatThrownBy(() -> assembler(ExistingFilePolicy.reject).assemble(session, chunksOf(session, file, 2), null))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.FILE_EXISTS));
        assertThat(Files.readAllBytes(root.resolve("files/g/data.bin"))).hasSize(1);
    }

    @Test
    void aShortFileMakesTheBytesUnusable() throws IOException {
        byte[] file = bytes(1000);
        UploadSession session = sessionWithChunks("s4", file, 2);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(new ChunkStore(root, 0).sessionFile("s4").toFile(), "rw")) {
            f.setLength(999);
        }

        assertThatThrownBy(() -> assembler(ExistingFilePolicy.rename).assemble(session, chunksOf(session, file, 2), null))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.BYTES_UNUSABLE));
        assertThat(root.resolve("files/g/data.bin")).doesNotExist();
    }

    private Assembler assembler(ExistingFilePolicy policy) {
        return new Assembler(new ChunkStore(root, 0), new RunningDigests(), policy);
    }

    /** Writes {@code parts} chunks, last first, into the file of a session holding {@code file}. */
    private UploadSession sessionWithChunks(String id, byte[] file, int parts) {
        return sessionWithChunks(id, file, parts, "data.bin");
    }

    private UploadSession sessionWithChunks(String id, byte[] file, int parts, String filename) {
        ChunkStore store = ChunkStore.open(root, 0);
        int size = (file.length + parts - 1) / parts;
        for (int from = (parts - 1) * size; from >= 0; from -= size) {
            byte[] part = Arrays.copyOfRange(file, from, Math.min(file.length, from + size));
            store.write(id, from, new ByteArrayInputStream(part), new ChunkStore.Reading(part.length, part.length, null,
                    false), null, ChunkStore.Progress.NONE);
        }
        return new UploadSession(id, "alice", "g", filename, Protocol.RESUMABLES, SessionState.ASSEMBLING, null, null,
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

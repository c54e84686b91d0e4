package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.db.ClaimDao;
import io.uploads.db.SessionQueries;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7: each leftover a crash can leave is built directly, on disk and in the tables, and
 * recovery must repair it; running recovery again changes nothing.
 */
abstract class RecoveryTest extends CoreTestBase {

    private Recovery recovery;

    @BeforeEach
    void recoveryAheadOfTheFiles() {
        // a clock a little ahead, so files written just now count as older than the (zero) grace period
        recovery = new Recovery(ledger, new SessionQueries(jdbi), store, claims, digests, completion,
                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1)), Duration.ZERO);
    }

    @Test
    void releasesClaimsPastTheirTimeAndThoseOfProcessesOfThisHostThatAreGone() {
        UploadSession s = upload(bytes(2 * CHUNK, 1), 2).session();
        String host = ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^\\d+@", "");
        ClaimDao rows = jdbi.onDemand(ClaimDao.class);
        Instant later = Instant.now().plusSeconds(600);
        rows.insert("expired", s.id(), 2L * CHUNK, WriterClaims.TO_THE_END, "4242@elsewhere", Instant.now().minusSeconds(1));
        rows.insert("killed", s.id(), 2L * CHUNK, WriterClaims.TO_THE_END, deadPid() + "@" + host, later);
        rows.insert("elsewhere", s.id(), 2L * CHUNK, WriterClaims.TO_THE_END, "4242@another-host", later);

        Recovery.Report report = recovery.run();

        assertThat(report.staleClaimsReleased()).isEqualTo(2);
        List<String> left = jdbi.withHandle(h -> h.createQuery("SELECT id FROM writer_claim").mapTo(String.class).list());
        assertThat(left)
                .as("a live claim of another host's instance stays").containsExactly("elsewhere");
        assertThat(sessions().find(s.id()).orElseThrow()).isEqualTo(s);
    }

    @Test
    void dropsTheRowWhoseBytesAreMissingAndEverythingAfterItInASequentialSession() throws IOException {
        byte[] file = bytes(3 * CHUNK, 2);
        UploadSession s = upload(file, 3).session();
        onDisk.cutTo(s.id(), CHUNK + 10);    // chunk 2 short, chunk 3 gone

        Recovery.Report report = recovery.run();

        assertThat(report.chunkRowsDropped()).isEqualTo(2);
        assertThat(chunks().list(s.id())).extracting(Chunk::chunkNumber).containsExactly(1);
        UploadSession after = sessions().find(s.id()).orElseThrow();
        assertThat(after.maxChunk()).isEqualTo(1);
        assertThat(after.receivedBytes()).isEqualTo(CHUNK);
        assertThat(after.state()).isEqualTo(SessionState.OPEN);
    }

    @Test
    void aHoleWhereAChunkIsStillToComeIsNoDamage() throws IOException {
        byte[] file = bytes(3 * CHUNK, 3);
        NumberedChunk third = new NumberedChunk("hole", "hole.bin", null, 3, CHUNK, CHUNK, file.length, 3);
        UploadSession s = numbered.record(ALICE, Protocol.FLOW, third,
                new ByteArrayInputStream(file, 2 * CHUNK, CHUNK)).session();

        Recovery.Report report = recovery.run();

        assertThat(report.chunkRowsDropped()).isZero();
        assertThat(sessions().find(s.id()).orElseThrow()).isEqualTo(s);
        assertThat(onDisk.bytesAt(s.id(), 2L * CHUNK, CHUNK)).isEqualTo(Arrays.copyOfRange(file, 2 * CHUNK, 3 * CHUNK));
    }

    /** A write that never committed (refused, or cut off by a crash) left bytes past the recorded ones. */
    @Test
    void bytesPastTheRecordedRangesAreNeverTakenForTheSessionsOwn() throws IOException {
        byte[] file = bytes(3 * CHUNK, 4);
        UploadSession s = upload(Arrays.copyOf(file, 2 * CHUNK), 2).session();
        onDisk.writeAt(s.id(), 2L * CHUNK, bytes(CHUNK + 99, 44));

        Recovery.Report report = recovery.run();

        assertThat(report.chunkRowsDropped()).isZero();
        assertThat(sessions().find(s.id()).orElseThrow()).isEqualTo(s);
        sequential.append(ALICE, s.id(), null, 3, null, new ByteArrayInputStream(file, 2 * CHUNK, CHUNK - 5),
                ChunkChecks.none());
        UploadSession done = completion.complete(ALICE, Protocol.RESUMABLES, s.id(), null, null).session();
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(Arrays.copyOf(file, 3 * CHUNK - 5));
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(Arrays.copyOf(file, 3 * CHUNK - 5)));
    }

    @Test
    void assemblesASessionLeftAssemblingAgain() throws IOException {
        byte[] file = bytes(3 * CHUNK + 17, 5);
        UploadSession s = upload(file, 4).session();
        sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, s.updatedAt());

        Recovery.Report report = recovery.run();

        assertThat(report.sessionsReassembled()).isEqualTo(1);
        UploadSession done = sessions().find(s.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(file);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(onDisk.holdsAnythingFor(s.id())).isFalse();
    }

    /** A completion places the final name inside its transaction: the crash came before the commit. */
    @Test
    void aFinalNamePlacedByACompletionThatNeverCommittedIsRemovedAndTheUploadCompletesUnderIt() throws IOException {
        byte[] file = bytes(2 * CHUNK, 7);
        UploadSession s = upload(file, 2).session();
        Assembler.Placed placed = placeName(s);
        Path name = storage.resolve(placed.relativePath());

        Recovery.Report report = recovery.run();

        assertThat(report.uncommittedNamesRemoved()).isEqualTo(1);
        assertThat(name).doesNotExist();
        assertThat(sessions().find(s.id()).orElseThrow()).as("the session as the database had it").isEqualTo(s);
        assertThat(onDisk.bytesAt(s.id(), 0, file.length)).isEqualTo(file);
        assertThat(recovery.run().uncommittedNamesRemoved()).isZero();
        UploadSession done = completion.complete(ALICE, Protocol.RESUMABLES, s.id(), null, null).session();
        assertThat(done.finalPath()).as("the name is free again").isEqualTo(placed.relativePath());
        assertThat(Files.readAllBytes(name)).isEqualTo(file);
    }

    /**
     * The writer of a tus upload's last bytes links the final name before it takes the row lock
     * to record them: while its claim lives (another instance), the name is its own.
     */
    @Test
    void aFinalNamePlacedAheadByAWriterWhoseClaimLivesIsLeftAlone() throws IOException {
        byte[] file = bytes(2 * CHUNK, 8);
        UploadSession s = upload(file, 2).session();
        Assembler.Placed placed = placeName(s);
        Path name = storage.resolve(placed.relativePath());
        ClaimDao rows = jdbi.onDemand(ClaimDao.class);
        rows.insert("writing", s.id(), 2L * CHUNK, WriterClaims.TO_THE_END, "4242@another-host",
                Instant.now().plusSeconds(600));

        assertThat(recovery.run().uncommittedNamesRemoved()).isZero();
        assertThat(name).exists();

        rows.renew("writing", Instant.now().minusSeconds(1), Instant.now());   // that instance was killed; its claim ran out
        Recovery.Report report = recovery.run();

        assertThat(report.staleClaimsReleased()).isEqualTo(1);
        assertThat(report.uncommittedNamesRemoved()).isEqualTo(1);
        assertThat(name).doesNotExist();
        assertThat(onDisk.bytesAt(s.id(), 0, file.length)).isEqualTo(file);
    }

    @Test
    void reassemblyAfterTheFileWasAlreadyPlacedKeepsThatOneName() throws IOException {
        byte[] file = bytes(2 * CHUNK, 6);
        UploadSession s = upload(file, 2).session();
        sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, s.updatedAt());
        UploadSession assembling = sessions().find(s.id()).orElseThrow();
        // the crash came after the file got its name but before completion was recorded
        Assembler.Placed placed = placeName(assembling);

        recovery.run();

        UploadSession done = sessions().find(s.id()).orElseThrow();
        assertThat(done.finalPath()).isEqualTo(placed.relativePath());
        try (var names = Files.list(storage.resolve("files").resolve("g"))) {
            assertThat(names.map(p -> p.getFileName().toString()).toList()).containsExactly(s.filename());
        }
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(file);
    }

    @Test
    void marksASessionLeftAssemblingFailedWhenItsBytesAreGone() throws IOException {
        UploadSession s = upload(bytes(2 * CHUNK, 7), 2).session();
        sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, s.updatedAt());
        onDisk.deleteFile(s.id());

        Recovery.Report report = recovery.run();

        assertThat(report.sessionsFailed()).isEqualTo(1);
        assertThat(sessions().find(s.id()).orElseThrow().state()).isEqualTo(SessionState.FAILED);
        assertThat(Files.exists(storage.resolve("files").resolve("g").resolve(s.filename()))).isFalse();
    }

    /**
     * A creation-with-upload links the final name inside the transaction that creates its session:
     * the crash came before the commit, so no row points to the name.
     */
    @Test
    void theFinalNameOfAnUploadWhoseCreationNeverCommittedIsRemovedWithItsBytes() throws IOException {
        SessionSnapshot done = upload(bytes(2 * CHUNK, 3), 2);
        UploadSession completed = completion.complete(ALICE, Protocol.RESUMABLES, done.session().id(), null, null)
                .session();
        String unknown = "00000000-0000-0000-0000-0000000000aa";
        onDisk.writeAt(unknown, 0, bytes(100, 9));
        Path group = storage.resolve("files").resolve("g");
        Path orphan = Files.createLink(group.resolve("orphan.bin"), store.sessionFile(unknown));
        Path sameBytes = Files.write(group.resolve("same-bytes.bin"), bytes(100, 9));
        // a completion that committed, cut off before it removed the session's own name for the file
        Files.createLink(store.sessionFile(completed.id()), storage.resolve(completed.finalPath()));

        Recovery.Report report = recovery.run();

        assertThat(report.uncommittedNamesRemoved()).isEqualTo(1);
        assertThat(orphan).doesNotExist();
        assertThat(onDisk.holdsAnythingFor(unknown)).isFalse();
        assertThat(sameBytes).as("another file with the same bytes").exists();
        assertThat(onDisk.holdsAnythingFor(completed.id())).isFalse();
        assertThat(Files.readAllBytes(storage.resolve(completed.finalPath()))).isEqualTo(bytes(2 * CHUNK, 3));
    }

    @Test
    void removesLeftoverBytesOfFinishedAndUnknownSessions() throws IOException {
        SessionSnapshot done = upload(bytes(2 * CHUNK, 8), 2);
        completion.complete(ALICE, Protocol.RESUMABLES, done.session().id(), null, null);
        onDisk.writeAt(done.session().id(), 0, new byte[10]);
        String unknown = "00000000-0000-0000-0000-000000000000";
        onDisk.writeAt(unknown, 0, new byte[10]);

        Recovery.Report report = recovery.run();

        assertThat(report.leftoverFilesRemoved()).isEqualTo(2);
        assertThat(onDisk.holdsAnythingFor(done.session().id())).isFalse();
        assertThat(onDisk.holdsAnythingFor(unknown)).isFalse();
    }

    /** The crash came after a tus PATCH recorded the last bytes and before that request completed it. */
    @Test
    void completesASessionWhoseLastBytesWereRecordedButNotCompleted() throws IOException {
        byte[] file = bytes(2 * CHUNK, 11);
        UploadSession s = offsets.create(ALICE, Protocol.TUS, "cut-off.bin", null, (long) file.length, null);
        offsets.append(ALICE, s.id(), 0, null, new ByteArrayInputStream(Arrays.copyOf(file, CHUNK)),
                ChunkChecks.none());
        onDisk.writeAt(s.id(), CHUNK, Arrays.copyOfRange(file, CHUNK, 2 * CHUNK));
        chunks().insert(new Chunk(s.id(), 2, CHUNK, CHUNK, TestFiles.md5(Arrays.copyOfRange(file, CHUNK, 2 * CHUNK)),
                Instant.now()));
        sessions().recordProgress(s.id(), 2, file.length, "g", Instant.now().minusSeconds(5),
                Instant.now().plusSeconds(60));
        sessions().markCompletionDue(s.id(), Instant.now().minusSeconds(5));    // as that transaction does

        Recovery.Report report = recovery.run();

        assertThat(report.sessionsCompleted()).isEqualTo(1);
        UploadSession done = sessions().find(s.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(file);
        assertThat(recovery.run().sessionsCompleted()).isZero();
    }

    @Test
    void aSecondRunFindsNothingToDo() throws IOException {
        UploadSession s = upload(bytes(3 * CHUNK, 9), 3).session();
        onDisk.cutTo(s.id(), 2L * CHUNK);
        onDisk.writeAt("00000000-0000-0000-0000-000000000001", 0, new byte[1]);
        recovery.run();

        Recovery.Report again = recovery.run();

        assertThat(again).isEqualTo(new Recovery.Report(0, 0, 0, 0, 0, 0, 0, 0));
    }

    /** The digest computed while the lost bytes arrived must not stand for the bytes sent in their place. */
    @Test
    void bytesSentAgainAfterARepairAreHashedAsTheyAreNow() throws IOException {
        byte[] file = bytes(3 * CHUNK, 12);
        UploadSession s = upload(file, 3).session();
        onDisk.cutTo(s.id(), 2L * CHUNK);
        recovery.run();

        byte[] edited = Arrays.copyOf(file, file.length);
        edited[edited.length - 1] ^= 1;
        sequential.append(ALICE, s.id(), null, 3, null, new ByteArrayInputStream(edited, 2 * CHUNK, CHUNK),
                ChunkChecks.none());
        UploadSession done = completion.complete(ALICE, Protocol.RESUMABLES, s.id(), null, null).session();

        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(edited));
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(edited);
    }

    @Test
    void theRepairedSessionCanBeFinishedByteIdentically() throws IOException {
        byte[] file = bytes(3 * CHUNK, 10);
        UploadSession s = upload(file, 3).session();
        onDisk.cutTo(s.id(), 2L * CHUNK);
        recovery.run();

        UploadSession repaired = sessions().find(s.id()).orElseThrow();
        sequential.append(ALICE, s.id(), null, repaired.maxChunk() + 1, null,
                new ByteArrayInputStream(Arrays.copyOfRange(file, (int) repaired.receivedBytes(), file.length)),
                ChunkChecks.none());
        UploadSession done = completion.complete(ALICE, Protocol.RESUMABLES, s.id(), null, null).session();

        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(file);
    }

    /** The pid of a process that ran and is gone. */
    private static long deadPid() {
        try {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            return p.pid();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The name placed before the crash is found by the file it names, not along the names tried
     * in turn: a lower one freed meanwhile (its file taken away) must not become a second name.
     */
    @Test
    void reassemblyFindsTheNamePlacedBeforeTheCrashWhenALowerNameWasFreedMeanwhile() throws IOException {
        byte[] file = bytes(2 * CHUNK, 31);
        UploadSession s = upload(file, 2).session();
        Path group = earlierFilesNamedLike(s, 2);
        sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, s.updatedAt());
        Assembler.Placed placed = placeName(sessions().find(s.id()).orElseThrow());
        assertThat(placed.relativePath()).endsWith(Assembler.candidateName(s.filename(), 2));
        // while the server was down, a consumer took the earlier file away
        Files.delete(group.resolve(Assembler.candidateName(s.filename(), 1)));

        recovery.run();

        UploadSession done = sessions().find(s.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(done.finalPath()).isEqualTo(placed.relativePath());
        try (var names = Files.list(group)) {
            assertThat(names.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(Assembler.candidateName(s.filename(), 2), s.filename());
        }
    }

    /** The same when the session is still open: the name of the completion that did not commit goes. */
    @Test
    void anUncommittedNameIsFoundWhenALowerNameWasFreedMeanwhile() throws IOException {
        byte[] file = bytes(2 * CHUNK, 32);
        UploadSession s = upload(file, 2).session();
        Path group = earlierFilesNamedLike(s, 1);
        Path name = storage.resolve(placeName(s).relativePath());
        Files.delete(group.resolve(s.filename()));

        assertThat(recovery.run().uncommittedNamesRemoved()).isEqualTo(1);

        assertThat(name).doesNotExist();
        assertThat(sessions().find(s.id()).orElseThrow()).isEqualTo(s);
    }

    /** A first chunk's file that no row knows yet may still be arriving while the server runs. */
    @Test
    void runWhileServingLeavesAFreshFileWithoutARowWhichTheStartUpRunRemoves() {
        String arriving = Ids.next();
        onDisk.writeAt(arriving, 0, new byte[10]);

        assertThat(recovery.runWhileServing().leftoverFilesRemoved()).isZero();
        assertThat(store.sessionFile(arriving)).exists();

        assertThat(recovery.run().leftoverFilesRemoved()).isEqualTo(1);
        assertThat(store.sessionFile(arriving)).doesNotExist();
    }

    /** One session that cannot be repaired (here its group's directory is a file) holds up no other. */
    @Test
    void aSessionThatCannotBeRepairedIsReportedAndTheOthersAreRecovered() throws IOException {
        byte[] file = bytes(2 * CHUNK, 33);
        UploadSession stuck = upload(file, 2).session();
        UploadSession other = upload(file, 2).session();
        sessions().setGroup(stuck.id(), "not-a-directory", stuck.updatedAt());
        Files.createDirectories(storage.resolve("files"));
        Files.write(storage.resolve("files/not-a-directory"), new byte[] {0});
        for (UploadSession s : List.of(stuck, other)) {
            sessions().transition(s.id(), SessionState.OPEN, SessionState.ASSEMBLING, s.updatedAt());
        }

        Recovery.Report report = recovery.run();

        assertThat(report.sessionsNotRecovered()).isEqualTo(1);
        assertThat(report.sessionsReassembled()).isEqualTo(1);
        assertThat(sessions().find(other.id()).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        assertThat(sessions().find(stuck.id()).orElseThrow().state()).isEqualTo(SessionState.OPEN);
        assertThat(onDisk.bytesAt(stuck.id(), 0, file.length)).isEqualTo(file);
    }

    /** Its group's directory, holding {@code count} earlier files under the names its completion tries first. */
    private Path earlierFilesNamedLike(UploadSession s, int count) throws IOException {
        Path group = Files.createDirectories(storage.resolve("files").resolve(s.groupName()));
        for (int attempt = 0; attempt < count; attempt++) {
            Files.write(group.resolve(Assembler.candidateName(s.filename(), attempt)), new byte[] {(byte) attempt});
        }
        return group;
    }

    /** The final name a completion links before its transaction commits, linked without one. */
    private Assembler.Placed placeName(UploadSession s) {
        return new Assembler(store, new RunningDigests(), ExistingFilePolicy.rename)
                .assemble(s, chunks().list(s.id()), null);
    }
}

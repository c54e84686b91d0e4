package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.uploads.config.UploadsConfig;
import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.testing.GatedBody;
import io.uploads.testing.MovableClock;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What else may happen to a session while a chunk's body is still arriving under its writer's
 * claim: completion waits for it, expiry leaves it alone, and a writer whose claim lapsed writes
 * nothing more.
 */
abstract class WhileABodyArrivesTest extends CoreTestBase {

    @Test
    void completionIsRefusedWhileAChunkArrivesAndChangesNothing() throws Exception {
        byte[] file = bytes(3 * CHUNK, 7);
        String id = upload(Arrays.copyOf(file, 2 * CHUNK), 2).session().id();
        GatedBody third = new GatedBody(Arrays.copyOfRange(file, 2 * CHUNK, 2 * CHUNK + CHUNK / 2),
                Arrays.copyOfRange(file, 2 * CHUNK + CHUNK / 2, 3 * CHUNK));
        CompletableFuture<SessionSnapshot> chunk3 = CompletableFuture.supplyAsync(() ->
                sequential.append(ALICE, id, null, 3, null, third, ChunkChecks.none()));
        third.awaitFirstPartRead();
        UploadSession before = sessions().find(id).orElseThrow();

        // the completed file would be the session's file, with the chunk still being written into it
        assertThatThrownBy(() -> completion.complete(ALICE, Protocol.RESUMABLES, id, null, null))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.WRITER_BUSY));
        assertThat(sessions().find(id).orElseThrow()).isEqualTo(before);
        assertThat(storage.resolve("files/g")).doesNotExist();

        third.open();
        assertThat(chunk3.get(30, TimeUnit.SECONDS).session().receivedBytes()).isEqualTo(3L * CHUNK);
        UploadSession done = completion.complete(ALICE, Protocol.RESUMABLES, id, null, null).session();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(file);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(file));
    }

    @Test
    void aSessionWhoseChunkIsArrivingDoesNotExpireAndTheChunkIsRecorded() throws Exception {
        UploadsConfig oneSecond = new UploadsConfig(config.maxChunkSize(), config.maxUploadSize(),
                config.maxOpenSessionsPerPrincipal(), io.dropwizard.util.Duration.seconds(1), ExistingFilePolicy.rename,
                io.dropwizard.util.Duration.seconds(0));
        UseCases shortLived = useCases(oneSecond, java.time.Clock.systemUTC());
        byte[] file = bytes(2 * CHUNK, 21);
        String id = shortLived.sequential().start(ALICE, Protocol.RESUMABLES, "slow.bin", null,
                new ByteArrayInputStream(Arrays.copyOf(file, CHUNK)), ChunkChecks.none(), CHUNK).session().id();
        GatedBody second = new GatedBody(Arrays.copyOfRange(file, CHUNK, CHUNK + CHUNK / 2),
                Arrays.copyOfRange(file, CHUNK + CHUNK / 2, 2 * CHUNK));
        CompletableFuture<SessionSnapshot> chunk2 = CompletableFuture.supplyAsync(() ->
                shortLived.sequential().append(ALICE, id, null, 2, null, second, ChunkChecks.none()));
        second.awaitFirstPartRead();
        Thread.sleep(1_200);    // the session's time to live passes while its chunk arrives

        assertThat(shortLived.expiry().expireIdleSessions()).as("a session receiving a chunk is not idle").isZero();
        second.open();
        UploadSession recorded = chunk2.get(30, TimeUnit.SECONDS).session();
        assertThat(recorded.receivedBytes()).isEqualTo(2L * CHUNK);
        assertThat(recorded.expiresAt()).isAfter(Instant.now());
        assertThat(Files.readAllBytes(store.sessionFile(id))).isEqualTo(file);

        Thread.sleep(1_200);    // idle past its time now: it expires as ever
        assertThat(shortLived.expiry().expireIdleSessions()).isEqualTo(1);
    }

    @Test
    void aWriterWhoseClaimLapsedWritesNothingMoreOverTheNextWritersBytes() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        UseCases timed = useCases(config, clock);
        String id = timed.sequential().start(ALICE, Protocol.RESUMABLES, "lapse.bin", null,
                new ByteArrayInputStream(bytes(CHUNK, 41)), ChunkChecks.none(), CHUNK).session().id();
        GatedBody stalled = new GatedBody(bytes(CHUNK / 2, 42), bytes(CHUNK * 3 / 2, 43));
        CompletableFuture<SessionSnapshot> first = CompletableFuture.supplyAsync(() ->
                timed.sequential().append(ALICE, id, null, 2, null, stalled, ChunkChecks.none()));
        stalled.awaitFirstPartRead();
        clock.advance(WriterClaims.TIME_TO_LIVE.plusSeconds(1));    // it stalls past its claim's life

        byte[] second = bytes(2 * CHUNK, 44);
        SessionSnapshot recorded = timed.sequential().append(ALICE, id, null, 2, null,
                new ByteArrayInputStream(second), ChunkChecks.none());
        assertThat(recorded.lastChunk().orElseThrow().md5()).isEqualTo(TestFiles.md5(second));

        stalled.open();
        assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(UploadException.class);
        byte[] chunk2OnDisk = Arrays.copyOfRange(Files.readAllBytes(store.sessionFile(id)), CHUNK, 3 * CHUNK);
        assertThat(TestFiles.md5(chunk2OnDisk)).as("the recorded chunk 2 holds its own bytes").isEqualTo(TestFiles.md5(second));
    }

    /** Nobody took the range this time: the lapsed claim is dead all the same, the finished file stays as recorded. */
    @Test
    void aWriterWhoseClaimLapsedWritesNothingIntoTheFileOfACompletionThatFollowed() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        UseCases timed = useCases(config, clock);
        byte[] first = bytes(CHUNK, 45);
        String id = timed.sequential().start(ALICE, Protocol.RESUMABLES, "lapsed.bin", null,
                new ByteArrayInputStream(first), ChunkChecks.none(), CHUNK).session().id();
        GatedBody stalled = new GatedBody(bytes(CHUNK / 2, 46), bytes(CHUNK / 2, 47));
        CompletableFuture<SessionSnapshot> writer = CompletableFuture.supplyAsync(() ->
                timed.sequential().append(ALICE, id, null, 2, null, stalled, ChunkChecks.none()));
        stalled.awaitFirstPartRead();
        clock.advance(WriterClaims.TIME_TO_LIVE.plusSeconds(1));

        UploadSession done = timed.completion().complete(ALICE, Protocol.RESUMABLES, id, null, null).session();
        stalled.open();

        assertThatThrownBy(() -> writer.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(UploadException.class);
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(Files.readAllBytes(storage.resolve(done.finalPath()))).isEqualTo(first);
        assertThat(done.sha256()).isEqualTo(TestFiles.sha256(first));
    }

    /**
     * The writer of a tus upload's last bytes placed the final name ahead, then its claim lapsed
     * (a long fsync) and recovery, run beside the server, took the name away: the writer must not
     * record a completion whose file is gone. Its steps are OffsetUploads.append's, one by one.
     */
    @Test
    void aNamePlacedAheadAndTakenAwayAfterItsClaimLapsedIsNeverRecordedAsTheFinalFile() {
        MovableClock clock = new MovableClock(Instant.now());
        UseCases timed = useCases(config, clock);
        byte[] file = bytes(2 * CHUNK, 48);
        UploadSession s = timed.offsets().create(ALICE, Protocol.TUS, "ahead.bin", null, 2L * CHUNK, null);
        timed.offsets().append(ALICE, s.id(), 0, null, new ByteArrayInputStream(Arrays.copyOf(file, CHUNK)),
                ChunkChecks.none());
        WriterClaims.Claim claim = timed.claims().claim(s.id(), CHUNK, WriterClaims.TO_THE_END);
        ChunkStore.Received last = timed.rules().write(s.id(), CHUNK,
                new ByteArrayInputStream(Arrays.copyOfRange(file, CHUNK, 2 * CHUNK)), CHUNK, ChunkChecks.none(), claim);
        Assembler.Placed ahead = timed.completion().placeAhead(claim.session(), last);
        assertThat(ahead).isNotNull();
        clock.advance(WriterClaims.TIME_TO_LIVE.plusSeconds(1));

        assertThat(timed.completion().removeUncommittedName(sessions().find(s.id()).orElseThrow())).isTrue();

        assertThatThrownBy(() -> timed.ledger().change(s.id(), ALICE.actor(), change -> {
            change.releaseClaim(claim.id());
            change.addChunk(new Chunk(s.id(), 2, CHUNK, last.size(), last.md5(), clock.instant()), 2, s.groupName(),
                    timed.rules().expiry(clock.instant()));
            change.moveTo(Stage.COMPLETION_DUE, null);
            timed.completion().completeWithin(change, s.groupName(), last, ahead);
            return change.session();
        })).isInstanceOfSatisfying(UploadException.class,
                e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.CONCURRENT_CHANGE));
        UploadSession after = sessions().find(s.id()).orElseThrow();
        assertThat(after.state()).isEqualTo(SessionState.OPEN);
        assertThat(after.receivedBytes()).isEqualTo(CHUNK);
        assertThat(storage.resolve(ahead.relativePath())).doesNotExist();
    }
}

package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.UploadSession;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.FlowStyleClient.Pass;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestFiles;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7 for flow.js and resumable.js: the server is killed with SIGKILL while chunks stream in,
 * three at a time, several times, and around the request that completes the file. After each
 * restart the client resumes as the libraries do when a file is retried (a test GET per chunk, a
 * POST for each one the server does not hold), and:
 *
 * <ul>
 *   <li>no chunk row claims bytes that are not the source's (each row's md5 against the source's
 *       range, and against the bytes stored for it while the upload is open);
 *   <li>the test GETs agree with the rows: 200 only for chunks the upload holds, and for all of
 *       them but at most one;
 *   <li>of the chunks the server had acknowledged (a 200 to the POST or to the test GET), at most
 *       one is sent again;
 *   <li>the file under {@code files/<group>/<name>} is byte-identical, and the only one.
 * </ul>
 *
 * Where each kill lands is left to chance; what must hold after it does not depend on where.
 */
abstract class KillResumeFlowTest extends KillResumeBase {

    private static final int CHUNK_SIZE = 256 * 1024;
    /** 16 chunks, the last one 356 KiB (the libraries give the rest to the last chunk). */
    private static final int FILE_SIZE = 4 * MIB + 100_000;
    /** Per request: a chunk's body takes 250 ms, so most kills land in the middle of three bodies. */
    private static final long PACE = MIB;
    private static final long CHUNK_MILLIS = CHUNK_SIZE * 1000L / PACE;
    private static final int KILLS_WHILE_CHUNKS_STREAM = 3;
    /** From the last chunk's arrival: about the time it takes to store it, assemble the file and answer. */
    private static final long COMPLETION_WINDOW_MILLIS = 100;

    /**
     * Sent as flow.js does with {@code prioritizeFirstAndLastChunk}, so that the upload holds its
     * last chunk early and every kill leaves chunks missing below the highest one received.
     */
    @Test
    void killedWhileChunksStreamInTheUploadResumesToAByteIdenticalFile() throws Exception {
        FlowFile file = FlowFile.of("flow-chunks.bin", TestFiles.randomBytes(FILE_SIZE, 31), CHUNK_SIZE);
        SortedSet<Integer> acknowledged = new TreeSet<>();

        for (int kill = 1; kill <= KILLS_WHILE_CHUNKS_STREAM; kill++) {
            try (SeparateJvm.Server server = start()) {
                Held held = heldAfterRestart(file, kill > 1);
                FlowStyleClient client = client(server, Library.FLOW).withPace(PACE);
                CompletableFuture<Pass> sending = CompletableFuture.supplyAsync(
                        () -> client.uploadUntilFailure(file, FlowStyleClient.firstAndLastFirst(file)));
                awaitServerHolds(server, file.filename(), bytes(file, held.chunks()) + 2L * CHUNK_SIZE, sending);
                killAtRandom(server, "kill " + kill + " while chunks stream in", CHUNK_MILLIS);
                Pass pass = sending.get();

                assertResumedAsTheLibraryDoes(pass, held, acknowledged);
                assertThat(pass.completions()).as("the upload finished before the kill: slow the pace").isEmpty();
                acknowledged.addAll(pass.acknowledged());
            }
        }

        try (SeparateJvm.Server server = start()) {
            Held held = heldAfterRestart(file, true);
            Pass rest = client(server, Library.FLOW).uploadUntilFailure(file, FlowStyleClient.firstAndLastFirst(file));

            assertResumedAsTheLibraryDoes(rest, held, acknowledged);
            assertThat(rest.failed()).as("chunks that got no answer").isEmpty();
            assertThat(rest.completions()).as("answers that the file is complete").hasSize(1);
            assertCompletedByteIdentical(file.filename(), file.bytes());
        }
    }

    /**
     * The kill lands somewhere between the last chunk's body arriving and its answer: before it
     * was recorded, between its rename and its row, during assembly, or after. A client that got
     * no answer retries the file; whatever the server got done, it must neither ask for the whole
     * file again nor keep a second copy. Sent with resumable.js's parameter names.
     */
    @Test
    void killedAroundTheRequestThatCompletesTheFileTheRetriedFileIsFinishedOnce() throws Exception {
        FlowFile file = FlowFile.of("resumable-ending.bin", TestFiles.randomBytes(FILE_SIZE, 32), CHUNK_SIZE);
        int last = file.totalChunks();
        SortedSet<Integer> acknowledged = new TreeSet<>();

        boolean toldComplete;
        try (SeparateJvm.Server server = start()) {
            FlowStyleClient client = client(server, Library.RESUMABLE_JS);
            Pass allButLast = client.uploadUntilFailure(file, file.chunkNumbers().subList(0, last - 1));
            assertThat(allButLast.stored().keySet()).containsExactlyElementsOf(file.chunkNumbers().subList(0, last - 1));
            acknowledged.addAll(allButLast.acknowledged());

            String id = onlySession().id();
            Map<String, String> before = storageFixture().contentsOf(id);
            CompletableFuture<Pass> completing = CompletableFuture.supplyAsync(
                    () -> client.uploadUntilFailure(file, List.of(last)));
            awaitArrival(completing, id, before);
            killAtRandom(server, "the request completing the file", COMPLETION_WINDOW_MILLIS);
            Pass lastChunk = completing.get();
            assertThat(lastChunk.refused()).as("chunks refused").isEmpty();
            acknowledged.addAll(lastChunk.acknowledged());
            toldComplete = !lastChunk.completions().isEmpty();
            note("the client was told the file is complete before the kill: " + toldComplete);
        }

        try (SeparateJvm.Server server = start()) {
            Held held = heldAfterRestart(file, true);
            if (!toldComplete) {    // a client that was told the file is complete has nothing more to do
                Pass retried = client(server, Library.RESUMABLE_JS).uploadUntilFailure(file, file.chunkNumbers());
                assertResumedAsTheLibraryDoes(retried, held, acknowledged);
                assertThat(retried.failed()).as("chunks that got no answer").isEmpty();
            }
            assertCompletedByteIdentical(file.filename(), file.bytes());
        }
    }

    /**
     * What the service holds of an upload after a restart: the numbers of its chunk rows, whatever
     * state it is in, and how it stands (said by assertions).
     */
    private record Held(Set<Integer> chunks, String upload) {}

    /**
     * What the service holds of the upload after a restart, once its rows are checked against the
     * source and the disk (nothing before the first start).
     */
    private Held heldAfterRestart(FlowFile file, boolean started) throws Exception {
        if (!started) {
            assertThat(sessions()).isEmpty();
            return new Held(Set.of(), "no upload");
        }
        UploadSession session = onlySession();
        List<Chunk> rows = assertChunkRowsHoldTheSource(session, file.bytes());
        for (Chunk c : rows) {
            assertThat(c.chunkOffset()).as("offset of chunk %d", c.chunkNumber()).isEqualTo(file.startByte(c.chunkNumber()));
            assertThat(c.sizeBytes()).as("size of chunk %d", c.chunkNumber())
                    .isEqualTo(file.endByte(c.chunkNumber()) - file.startByte(c.chunkNumber()));
        }
        return new Held(rows.stream().map(Chunk::chunkNumber).collect(Collectors.toCollection(TreeSet::new)),
                "session " + session.id() + " " + session.stage() + ", " + rows.size() + " chunk rows");
    }

    /**
     * The test GETs of a pass after a restart agree with the rows the upload held: 200 only for a
     * chunk it holds (a 200 for any other loses that chunk), and 204 for at most one it holds (a
     * server may ask for a last chunk again to finish on it); every POST that was answered was
     * stored; of the chunks the server had acknowledged before, at most one is sent again.
     */
    private static void assertResumedAsTheLibraryDoes(Pass pass, Held held, Set<Integer> acknowledgedBefore) {
        SortedSet<Integer> askedForAgain = new TreeSet<>();
        pass.tested().forEach((n, status) -> {
            assertThat(status).as("test GET of chunk %d after the restart", n).isIn(200, 204);
            assertThat(status == 200 && !held.chunks().contains(n))
                    .as("test GET of chunk %d answered 200 after the restart; %s holds chunks %s", n, held.upload(),
                            held.chunks())
                    .isFalse();
            if (status == 204 && held.chunks().contains(n)) {
                askedForAgain.add(n);
            }
        });
        assertThat(askedForAgain).as("chunks asked for again by test GETs after the restart; %s holds chunks %s",
                held.upload(), held.chunks()).hasSizeLessThanOrEqualTo(1);
        assertThat(pass.refused()).as("chunks refused").isEmpty();
        SortedSet<Integer> sentAgain = new TreeSet<>(pass.posted());
        sentAgain.retainAll(acknowledgedBefore);
        assertThat(sentAgain).as("acknowledged chunks sent again (of %s)", acknowledgedBefore).hasSizeLessThanOrEqualTo(1);
    }

    private FlowStyleClient client(SeparateJvm.Server server, Library library) {
        return new FlowStyleClient(server.baseUrl(), token).with(library).withQuery("group", GROUP);
    }

    private static long bytes(FlowFile file, Set<Integer> chunks) {
        return chunks.stream().mapToLong(n -> file.endByte(n) - file.startByte(n)).sum();
    }
}

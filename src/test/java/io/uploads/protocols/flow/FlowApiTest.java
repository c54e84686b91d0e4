package io.uploads.protocols.flow;

import static io.uploads.protocols.flow.FlowAssertions.assertChunkRows;
import static io.uploads.protocols.flow.FlowAssertions.assertCompleted;
import static io.uploads.protocols.flow.FlowAssertions.onlySession;
import static io.uploads.protocols.flow.FlowAssertions.sessions;
import static io.uploads.testing.TestFiles.randomBytes;
import static io.uploads.protocols.flow.FlowAssertions.stored;
import static io.uploads.testing.FlowStyleClient.lastChunkFirst;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.protocols.flow.FlowAssertions.Stored;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.FlowStyleClient.Method;
import io.uploads.testing.FlowStyleClient.Run;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §4.2 over real HTTP, driven the way flow.js and resumable.js drive it: a test GET per
 * chunk, then the POST, three at a time, out of order. Checks the answers, the session and chunk
 * rows, and the final file.
 *
 * <p>The service is shared by the whole class, so every test uses a principal of its own.
 */
abstract class FlowApiTest extends AppTestBase {

    private static final int CHUNK = 64 * 1024;
    /** Seven chunks; the last one takes the remainder and is larger than the others, as flow.js cuts it. */
    private static final int SIZE = 7 * CHUNK + 40_000;

    static Stream<Arguments> librariesAndMethods() {
        return Stream.of(
                Arguments.of(Library.FLOW, Method.MULTIPART, Protocol.FLOW),
                Arguments.of(Library.RESUMABLE_JS, Method.MULTIPART, Protocol.RESUMABLE_JS),
                Arguments.of(Library.FLOW, Method.OCTET, Protocol.FLOW),
                Arguments.of(Library.RESUMABLE_JS, Method.OCTET, Protocol.RESUMABLE_JS));
    }

    @ParameterizedTest(name = "{0} names, {1}")
    @MethodSource("librariesAndMethods")
    void uploadsThreeChunksAtATimeOutOfOrderWithTheLastChunkFirst(Library library, Method method, Protocol protocol)
            throws Exception {
        String owner = ("api-" + library + "-" + method).toLowerCase(Locale.ROOT);
        FlowStyleClient client = client(owner, owner + "-group").with(library).with(method);
        FlowFile file = FlowFile.of("report " + method + ".bin", randomBytes(SIZE, library.ordinal() * 10L + method.ordinal()),
                CHUNK);
        assertThat(file.totalChunks()).isEqualTo(7);
        assertThat(file.chunk(7)).hasSize(CHUNK + 40_000);

        Run run = client.upload(file, lastChunkFirst(file));

        assertThat(run.posted()).as("chunks the test GET asked for").containsExactlyInAnyOrderElementsOf(file.chunkNumbers());
        assertCompleted(app, owner, file, owner + "-group", protocol, run);
    }

    @Test
    void forceChunkSizeCutsTheFileIntoCeilChunksNoneLargerThanTheChunkSize() throws Exception {
        String owner = "api-force";
        FlowFile file = FlowFile.of("forced.bin", randomBytes(SIZE, 20), CHUNK).withForceChunkSize();
        assertThat(file.totalChunks()).isEqualTo(8);

        Run run = client(owner, "force-group").upload(file, lastChunkFirst(file));

        assertCompleted(app, owner, file, "force-group", Protocol.FLOW, run);
    }

    @Test
    void singleChunkFileCompletesWithItsOnlyChunk() throws Exception {
        String owner = "api-single";
        FlowFile file = FlowFile.of("small.txt", randomBytes(CHUNK / 2, 21), CHUNK);
        assertThat(file.totalChunks()).isEqualTo(1);

        Run run = client(owner, "single-group").upload(file, List.of(1));

        assertCompleted(app, owner, file, "single-group", Protocol.FLOW, run);
    }

    @Test
    void emptyFileIsOneEmptyChunkAndCompletes() throws Exception {
        String owner = "api-empty";
        FlowFile file = FlowFile.of("empty.txt", new byte[0], CHUNK);
        assertThat(file.totalChunks()).isEqualTo(1);

        Run run = client(owner, "empty-group").upload(file, List.of(1));

        UploadSession session = assertCompleted(app, owner, file, "empty-group", Protocol.FLOW, run);
        assertThat(session.sha256()).isEqualTo(TestFiles.sha256(new byte[0]));
    }

    @Test
    void groupFieldSendsTheFileToThatGroup() throws Exception {
        String owner = "api-group";
        FlowStyleClient client = client(owner, "first-group", "chosen-group").withQuery("group", "chosen-group");
        FlowFile file = FlowFile.of("grouped.bin", randomBytes(3 * CHUNK, 22), CHUNK);

        Run run = client.upload(file, lastChunkFirst(file));

        assertCompleted(app, owner, file, "chosen-group", Protocol.FLOW, run);
        assertThat(app.storage().resolve("files/first-group/grouped.bin")).doesNotExist();
    }

    @Test
    void identifierIsNeverUsedAsAPath() throws Exception {
        String owner = "api-identifier";
        FlowFile file = FlowFile.of("plain.bin", randomBytes(2 * CHUNK + 3, 25), CHUNK)
                .withIdentifier("../../escaped/../" + owner);

        Run run = client(owner, "identifier-group").upload(file, lastChunkFirst(file));

        assertCompleted(app, owner, file, "identifier-group", Protocol.FLOW, run);
        assertThat(FlowAssertions.storage(app).keySet()).noneMatch(path -> path.contains("escaped") || path.contains(owner));
        assertThat(app.storage().resolveSibling("escaped")).doesNotExist();
    }

    @Test
    void resentChunkWithTheSameBytesIsAcknowledgedAndChangesNothing() throws Exception {
        String owner = "api-resend";
        FlowStyleClient client = client(owner, "resend-group");
        FlowFile file = FlowFile.of("resend.bin", randomBytes(4 * CHUNK + 10, 23), CHUNK);
        Reply first = client.send(file, 2);
        client.send(file, 4);
        Stored before = stored(app);

        Reply again = client.send(file, 2);

        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.text("id")).isEqualTo(first.text("id"));
        assertThat(again.json().get("chunk").asInt()).isEqualTo(2);
        assertThat(again.text("chunk_md5")).isEqualTo(TestFiles.md5(file.chunk(2)));
        assertThat(again.text("state")).isEqualTo("OPEN");
        assertThat(again.json().get("received_bytes").asLong()).isEqualTo(2L * CHUNK + 10);
        assertThat(stored(app)).isEqualTo(before);

        Run rest = client.upload(file, file.chunkNumbers());
        assertThat(rest.posted()).containsExactlyInAnyOrder(1, 3);
        assertCompleted(app, owner, file, "resend-group", Protocol.FLOW, rest);
    }

    /**
     * flow.js retries a chunk whose answer was lost, possibly the answer that completed the
     * upload. The identifier is free once its upload completed, so the retry starts a new upload
     * (for a one-chunk file, a second copy): never acknowledged without being stored, and the
     * completed upload is never touched.
     */
    @ParameterizedTest(name = "{0} chunks")
    @ValueSource(ints = {1, 3})
    void chunkResentAfterItsUploadCompletedStartsANewUploadAndLeavesTheCompletedOne(int chunks) throws Exception {
        String owner = "api-lost-answer-" + chunks;
        String group = "lost-group-" + chunks;
        FlowStyleClient client = client(owner, group);
        FlowFile file = FlowFile.of("lost.bin", randomBytes(chunks * CHUNK + 7, 26), CHUNK);
        Run run = client.upload(file, file.chunkNumbers());
        int completing = run.completions().get(0).json().get("chunk").asInt();

        Reply retry = client.send(file, completing);

        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.text("id")).isNotEqualTo(run.completions().get(0).text("id"));
        assertThat(retry.text("state")).isEqualTo(chunks == 1 ? "COMPLETED" : "OPEN");
        if (chunks == 1) {
            assertThat(retry.text("path")).isEqualTo("files/" + group + "/lost-1.bin");
        }
        assertThat(sessions(app, owner, file.identifier())).hasSize(2);
        assertThat(Files.readAllBytes(app.storage().resolve("files/" + group + "/lost.bin"))).isEqualTo(file.bytes());
    }

    /** flow.js names an upload by size and name: an edited file of the same size reuses the identifier. */
    @Test
    void anEditedFileOfTheSameNameAndSizeIsStoredAgainInFull() throws Exception {
        String owner = "api-edited";
        FlowStyleClient client = client(owner, "edited-group");
        byte[] original = randomBytes(3 * CHUNK + 7, 27);
        byte[] edited = original.clone();
        edited[edited.length - 1] ^= 1;    // only the last chunk differs
        FlowFile first = FlowFile.of("edited.bin", original, CHUNK);
        FlowFile second = FlowFile.of("edited.bin", edited, CHUNK);
        assertThat(second.identifier()).isEqualTo(first.identifier());
        client.upload(first, first.chunkNumbers());

        Run again = client.upload(second, second.chunkNumbers());

        assertThat(again.posted()).as("every chunk is sent and stored again").hasSize(second.totalChunks());
        assertThat(again.completions()).hasSize(1);
        assertThat(Files.readAllBytes(app.storage().resolve(again.completions().get(0).text("path"))))
                .isEqualTo(edited);
        assertThat(Files.readAllBytes(app.storage().resolve("files/edited-group/edited.bin"))).isEqualTo(original);
    }

    @Test
    void answerOfAChunkThatDoesNotCompleteTheUploadShowsProgressOnly() {
        String owner = "api-progress";
        FlowFile file = FlowFile.of("progress.bin", randomBytes(3 * CHUNK, 24), CHUNK);

        Reply answer = client(owner, "progress-group").send(file, 3);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        UploadSession session = onlySession(app, owner, file.identifier());
        assertThat(session.state()).isEqualTo(SessionState.OPEN);
        assertThat(session.protocol()).isEqualTo(Protocol.FLOW);
        assertThat(session.chunkSize()).isEqualTo(CHUNK);
        assertThat(session.totalChunks()).isEqualTo(3);
        assertThat(session.totalSize()).isEqualTo(3L * CHUNK);
        assertThat(session.receivedBytes()).isEqualTo(CHUNK);
        assertThat(answer.text("id")).isEqualTo(session.id());
        assertThat(answer.text("protocol")).isEqualTo("flow");
        assertThat(answer.text("state")).isEqualTo("OPEN");
        assertThat(answer.json().get("chunk").asInt()).isEqualTo(3);
        assertThat(answer.json().get("received_bytes").asLong()).isEqualTo(CHUNK);
        assertThat(answer.json().get("total_size").asLong()).isEqualTo(3L * CHUNK);
        assertThat(answer.text("expires_at")).isEqualTo(session.expiresAt().toString());
        assertThat(answer.json().has("path")).isFalse();
        assertThat(answer.json().has("sha256")).isFalse();
        assertChunkRows(app, session.id(), file, List.of(3));
    }

    private FlowStyleClient client(String owner, String... groups) {
        return new FlowStyleClient(app.baseUrl(), app.token(owner, groups));
    }
}

package io.uploads.protocols.flow;

import static io.uploads.protocols.flow.FlowAssertions.assertChunkRows;
import static io.uploads.protocols.flow.FlowAssertions.assertCompleted;
import static io.uploads.protocols.flow.FlowAssertions.onlySession;
import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.FlowStyleClient.Run;
import io.uploads.testing.Http.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resuming the way flow.js and resumable.js do it: after an interruption the library tests every
 * chunk with a GET and POSTs only the ones answered 204. Exactly the missing chunks must be sent
 * again, and the file must come out byte-identical.
 *
 * <p>Clients are made afresh from {@code app.baseUrl()}, since one test restarts the service (new port).
 */
abstract class FlowResumeTest extends AppTestBase {

    private static final int CHUNK = 32 * 1024;
    /** Eight chunks, the last one larger. */
    private static final int SIZE = 8 * CHUNK + 5_000;
    /** What reached the server before the interruption; chunk 3 was cut off mid-body. */
    private static final List<Integer> SENT_BEFORE = List.of(1, 2, 5, 8);
    private static final List<Integer> MISSING = List.of(3, 4, 6, 7);

    @ParameterizedTest(name = "{0} names")
    @EnumSource(Library.class)
    void resumedUploadSendsExactlyTheMissingChunks(Library library) throws Exception {
        String owner = "resume-" + library.prefix();
        FlowStyleClient client = client(owner).with(library);
        FlowFile file = FlowFile.of("resume.bin", randomBytes(SIZE, library.ordinal()), CHUNK);
        Protocol protocol = library == Library.FLOW ? Protocol.FLOW : Protocol.RESUMABLE_JS;
        interrupt(owner, client, file);

        Run resumed = client.upload(file, file.chunkNumbers());

        assertThat(resumed.posted()).as("chunks POSTed on resume").containsExactlyInAnyOrderElementsOf(MISSING);
        assertCompleted(app, owner, file, owner + "-group", protocol, resumed);
    }

    @Test
    void uploadResumesAfterTheServiceRestarted() throws Exception {
        String owner = "resume-restart";
        FlowFile file = FlowFile.of("restart.bin", randomBytes(SIZE, 7), CHUNK);
        interrupt(owner, client(owner), file);

        app.restart();
        Run resumed = client(owner).upload(file, FlowStyleClient.lastChunkFirst(file));

        assertThat(resumed.posted()).containsExactlyInAnyOrderElementsOf(MISSING);
        assertCompleted(app, owner, file, owner + "-group", Protocol.FLOW, resumed);
    }

    @Test
    void testGetAnswers200OnlyForChunksOfTheCallersSameUpload() {
        String owner = "resume-test-get";
        FlowStyleClient client = client(owner);
        FlowFile file = FlowFile.of("tested.bin", randomBytes(SIZE, 8), CHUNK);
        interrupt(owner, client, file);
        FlowFile resized = FlowFile.of("tested.bin", randomBytes(SIZE, 8), CHUNK / 2).withIdentifier(file.identifier());
        FlowStyleClient stranger = client("resume-stranger");

        for (int n : file.chunkNumbers()) {
            Reply test = client.test(file, n);
            if (SENT_BEFORE.contains(n)) {
                assertThat(test.status()).as("test GET of chunk %d", n).isEqualTo(200);
                assertThat(test.json().get("chunk").asInt()).isEqualTo(n);
                assertThat(test.json().get("present").asBoolean()).isTrue();
            } else {
                assertThat(test.status()).as("test GET of chunk %d", n).isEqualTo(204);
                assertThat(test.body()).isEmpty();
            }
            assertThat(stranger.test(file, n).status()).as("another principal's test GET of chunk %d", n).isEqualTo(204);
        }
        assertThat(client.test(resized, 1).status()).as("same identifier, other chunk size").isEqualTo(204);
    }

    /**
     * An upload that stopped part-way: some chunks arrived whole, one connection broke in the
     * middle of a chunk's body, the rest were never sent.
     */
    private void interrupt(String owner, FlowStyleClient client, FlowFile file) {
        for (int n : SENT_BEFORE) {
            assertThat(client.send(file, n).status()).isEqualTo(200);
        }
        client.sendCutOff(file, 3, CHUNK / 2);
        app.awaitNoWriters();

        UploadSession session = onlySession(app, owner, file.identifier());
        assertThat(session.state()).isEqualTo(SessionState.OPEN);
        assertThat(session.receivedBytes()).isEqualTo(3L * CHUNK + file.chunk(8).length);
        assertChunkRows(app, session.id(), file, SENT_BEFORE);
    }

    private FlowStyleClient client(String owner) {
        return new FlowStyleClient(app.baseUrl(), app.token(owner, owner + "-group"));
    }
}

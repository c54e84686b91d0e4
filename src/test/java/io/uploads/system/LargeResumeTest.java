package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import io.uploads.testing.TsdStyleClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §1, §4.1, §7: a 64 MiB upload in 4 MiB chunks, interrupted half way, is resumed by a
 * TSD-style client from nothing but the service's answer and finishes byte-identical.
 */
abstract class LargeResumeTest extends AppTestBase {

    private static final int MIB = 1 << 20;
    private static final long FILE_SIZE = 64L * MIB;
    private static final int CHUNK_SIZE = 4 * MIB;
    private static final int CHUNKS = (int) (FILE_SIZE / CHUNK_SIZE);
    private static final String GROUP = "alice-group";

    private Path source;
    private String token;

    @BeforeAll
    void createSourceAndToken() throws IOException {
        source = TestFiles.randomFile(tmp.resolve("source.bin"), FILE_SIZE, 64);
        token = app.token("alice", GROUP);
    }

    @Test
    void resumesFromWhatTheServiceReportsAndFinishesByteIdentical() throws IOException {
        TsdStyleClient first = client("large.bin");
        first.sendChunks(CHUNKS / 2);
        String id = first.id();

        // the first client is gone; a new one knows only the local file and what the service says
        Reply reported = http.get("/files/resumables/large.bin", token);
        assertThat(reported.status()).as(reported.body()).isEqualTo(200);
        assertThat(reported.text("id")).isEqualTo(id);
        assertThat(reported.json().get("max_chunk").asInt()).isEqualTo(CHUNKS / 2);
        assertThat(reported.json().get("chunk_size").asLong()).isEqualTo(CHUNK_SIZE);
        assertThat(reported.json().get("previous_offset").asLong()).isEqualTo(FILE_SIZE / 2 - CHUNK_SIZE);
        assertThat(reported.json().get("next_offset").asLong()).isEqualTo(FILE_SIZE / 2);

        TsdStyleClient resumed = client("large.bin");
        resumed.resume();    // checks md5sum against the local bytes [previous_offset, next_offset)
        assertThat(resumed.nextOffset()).isEqualTo(FILE_SIZE / 2);
        resumed.sendRemaining();
        Reply end = resumed.end();

        assertThat(end.text("id")).isEqualTo(id);
        UploadAssertions.assertCompletedIntact(app, end, source);
        assertThat(app.chunks(id)).hasSize(CHUNKS);
    }

    @Test
    void aChunkResentAfterItsAnswerWasLostIsAcknowledgedAndTheUploadFinishes() throws IOException {
        TsdStyleClient client = client("lost-answer.bin");
        Reply lost = client.sendChunks(CHUNKS / 2);    // the client never saw this answer
        String id = client.id();
        List<Chunk> recorded = app.chunks(id);

        Reply again = client.resendLastChunk();

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.json()).isEqualTo(lost.json());
        assertThat(app.chunks(id)).isEqualTo(recorded);
        client.sendRemaining();
        UploadAssertions.assertCompletedIntact(app, client.end(), source);
        assertThat(app.chunks(id)).hasSize(CHUNKS);
    }

    private TsdStyleClient client(String filename) {
        return new TsdStyleClient(http, token, GROUP, source, filename, CHUNK_SIZE);
    }
}

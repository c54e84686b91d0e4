package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What every finished upload must look like, in the answer, in the database and on disk. */
final class UploadAssertions {

    private UploadAssertions() {}

    /**
     * The {@code chunk=end} answer is 201 with the source's SHA-256; the final file is
     * byte-identical to the source; the session row is COMPLETED with that SHA-256; its chunk rows
     * are numbered 1..n, contiguous, and add up to the size; no chunk bytes remain.
     */
    static void assertCompletedIntact(TestApp app, Reply end, Path source) throws IOException {
        String sha256 = TestFiles.sha256(source);
        long size = Files.size(source);

        assertThat(end.status()).as(end.body()).isEqualTo(201);
        assertThat(end.text("max_chunk")).isEqualTo("end");
        assertThat(end.text("sha256")).isEqualTo(sha256);
        assertThat(end.json().get("size").asLong()).isEqualTo(size);
        assertThat(TestFiles.sha256(app.storage().resolve(end.text("path")))).as("SHA-256 of the final file")
                .isEqualTo(sha256);

        String id = end.text("id");
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(row.sha256()).isEqualTo(sha256);
        assertThat(row.receivedBytes()).isEqualTo(size);
        assertContiguous(app.chunks(id), size);
        assertThat(app.storageFixture().contentsOf(id)).as("bytes of session " + id + " left in the store").isEmpty();
    }

    /** Chunk rows 1..n, each starting where the previous one ended, together {@code size} bytes. */
    static void assertContiguous(List<Chunk> chunks, long size) {
        long offset = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(c.chunkNumber()).isEqualTo(i + 1);
            assertThat(c.chunkOffset()).as("offset of chunk %d", c.chunkNumber()).isEqualTo(offset);
            offset += c.sizeBytes();
        }
        assertThat(offset).as("bytes in the chunk rows").isEqualTo(size);
    }
}

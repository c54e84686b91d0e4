package io.uploads.protocols.flow;

import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Run;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.Await;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What the flow.js / resumable.js tests look at: the session and chunk rows of an identifier, the
 * storage directory, and the answers; and what a finished upload and a refused request must leave.
 */
final class FlowAssertions {

    private FlowAssertions() {}

    /** Every session the owner has had under this identifier, oldest first. */
    static List<UploadSession> sessions(TestApp app, String owner, String identifier) {
        List<String> ids = app.jdbi().withHandle(h -> h.createQuery(
                        "SELECT id FROM upload_session WHERE owner = :owner AND client_key = :key ORDER BY created_at, id")
                .bind("owner", owner)
                .bind("key", identifier)
                .mapTo(String.class)
                .list());
        return ids.stream().map(id -> app.session(id).orElseThrow()).toList();
    }

    /** The one session the owner has under this identifier; fails when there are none or several. */
    static UploadSession onlySession(TestApp app, String owner, String identifier) {
        List<UploadSession> sessions = sessions(app, owner, identifier);
        assertThat(sessions).as("sessions of %s under identifier %s", owner, identifier).hasSize(1);
        return sessions.get(0);
    }

    /**
     * A finished upload, as every part of the service must show it: exactly one session for the
     * identifier, COMPLETED once (completed_at, SHA-256, final path {@code files/{group}/{filename}}
     * holding the source's bytes), one chunk row per chunk at its offset with its size and md5,
     * no chunk bytes left in the store, and exactly one answer that completed it.
     */
    static UploadSession assertCompleted(TestApp app, String owner, FlowFile file, String group, Protocol protocol,
                                         Run run) throws IOException {
        assertThat(run.answers()).as("every chunk answered").containsOnlyKeys(file.chunkNumbers());
        run.answers().forEach((n, reply) -> assertThat(reply.status()).as("chunk %d: %s", n, reply.body()).isEqualTo(200));
        List<Reply> completions = run.completions();
        assertThat(completions).as("answers that completed the upload").hasSize(1);
        UploadSession session = assertCompleted(app, owner, file, group, protocol);
        assertCompletingAnswer(completions.get(0), session, file, protocol);
        try {
            // marked once the answer was flushed to the connection, which the client may see a moment before
            Await.until("the completion recorded as answered", () -> Boolean.TRUE.equals(app.jdbi().withHandle(h ->
                    h.createQuery("SELECT completion_answered FROM upload_session WHERE id = :id")
                            .bind("id", session.id()).mapTo(Boolean.class).one())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return session;
    }

    /** {@link #assertCompleted(TestApp, String, FlowFile, String, Protocol, Run)} without the answers. */
    static UploadSession assertCompleted(TestApp app, String owner, FlowFile file, String group, Protocol protocol)
            throws IOException {
        String sha256 = TestFiles.sha256(file.bytes());
        UploadSession session = onlySession(app, owner, file.identifier());
        assertThat(session.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(session.protocol()).isEqualTo(protocol);
        assertThat(session.filename()).isEqualTo(file.filename());
        assertThat(session.groupName()).isEqualTo(group);
        assertThat(session.chunkSize()).isEqualTo(file.chunkSize());
        assertThat(session.totalSize()).isEqualTo(file.size());
        assertThat(session.totalChunks()).isEqualTo(file.totalChunks());
        assertThat(session.receivedBytes()).isEqualTo(file.size());
        assertThat(session.completedAt()).as("completed_at").isNotNull();
        assertThat(session.sha256()).isEqualTo(sha256);
        assertThat(session.finalPath()).isEqualTo("files/" + group + "/" + file.filename());
        assertThat(TestFiles.sha256(app.storage().resolve(session.finalPath()))).as("SHA-256 of the final file")
                .isEqualTo(sha256);
        assertChunkRows(app, session.id(), file, file.chunkNumbers());
        assertThat(app.storageFixture().holdsAnythingFor(session.id())).as("chunk bytes of a completed session")
                .isFalse();
        return session;
    }

    /** Chunk rows for exactly {@code numbers}, each at its offset with its size and md5. */
    static void assertChunkRows(TestApp app, String sessionId, FlowFile file, List<Integer> numbers) {
        List<Chunk> rows = app.chunks(sessionId);
        assertThat(rows).extracting(Chunk::chunkNumber).as("chunk rows").containsExactlyElementsOf(numbers);
        for (Chunk row : rows) {
            int n = row.chunkNumber();
            assertThat(row.chunkOffset()).as("offset of chunk %d", n).isEqualTo((long) file.startByte(n));
            assertThat(row.sizeBytes()).as("size of chunk %d", n).isEqualTo(file.endByte(n) - file.startByte(n));
            assertThat(row.md5()).as("md5 of chunk %d", n).isEqualTo(TestFiles.md5(file.chunk(n)));
        }
    }

    /** The answer of the request that completed the upload: the whole session plus path, size, SHA-256. */
    static void assertCompletingAnswer(Reply reply, UploadSession session, FlowFile file, Protocol protocol) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.text("id")).isEqualTo(session.id());
        assertThat(reply.text("filename")).isEqualTo(file.filename());
        assertThat(reply.text("group")).isEqualTo(session.groupName());
        assertThat(reply.text("protocol")).isEqualTo(protocol.wireName());
        assertThat(reply.text("state")).isEqualTo("COMPLETED");
        assertThat(reply.json().get("received_bytes").asLong()).isEqualTo(file.size());
        assertThat(reply.json().get("total_size").asLong()).isEqualTo(file.size());
        assertThat(reply.text("path")).isEqualTo(session.finalPath());
        assertThat(reply.json().get("size").asLong()).isEqualTo(file.size());
        assertThat(reply.text("sha256")).isEqualTo(session.sha256());
        int n = reply.json().get("chunk").asInt();
        assertThat(reply.text("chunk_md5")).isEqualTo(TestFiles.md5(file.chunk(n)));
    }

    /** A refusal as SPEC §8 wants it: the status, and JSON {code, message[, error]}. */
    static void assertRefused(Reply reply, int status, @Nullable String error, String... messageContains) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json()).as("JSON body, got: '%s'", reply.body()).isNotNull();
        assertThat(reply.json().get("code").asInt()).isEqualTo(status);
        assertThat(reply.text("message")).isNotBlank();
        if (error != null) {
            assertThat(reply.text("error")).isEqualTo(error);
        }
        for (String part : messageContains) {
            assertThat(reply.text("message")).contains(part);
        }
    }

    /**
     * Everything a refused request must leave as it was: every session row, every chunk row, and
     * every file and directory of the storage.
     */
    record Stored(List<UploadSession> sessions, Map<String, List<Chunk>> chunks, Map<String, String> storage) {}

    static Stored stored(TestApp app) {
        List<String> ids = app.jdbi().withHandle(h -> h.createQuery("SELECT id FROM upload_session ORDER BY id")
                .mapTo(String.class)
                .list());
        Map<String, List<Chunk>> chunks = new TreeMap<>();
        ids.forEach(id -> chunks.put(id, app.chunks(id)));
        return new Stored(ids.stream().map(id -> app.session(id).orElseThrow()).toList(), chunks, storage(app));
    }

    /** Relative path → SHA-256 of every file (or {@code "dir"}) under the storage root. */
    static Map<String, String> storage(TestApp app) {
        Path root = app.storage();
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !p.equals(root)).toList()) {
                tree.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : TestFiles.sha256(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }
}

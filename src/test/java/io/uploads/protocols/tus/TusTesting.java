package io.uploads.protocols.tus;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.Await;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/** Helpers shared by the tus tests: wire details, waiting, and what a finished tus upload looks like. */
final class TusTesting {

    static final String CREATION_PATH = "/files/tus";
    static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

    private TusTesting() {}

    /** {@code name value} pairs as an ordered header map. */
    static Map<String, String> headers(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name/value pairs");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            headers.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return headers;
    }

    /** The first value of a response header, looked up case-insensitively; null when absent. */
    static @Nullable String header(Reply reply, String name) {
        return reply.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElse(null);
    }

    /** One {@code Upload-Metadata} pair: the key and the base64 of the value's UTF-8. */
    static String metadataPair(String key, String value) {
        return key + " " + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The upload id, the last segment of an upload URL. */
    static String idOf(String uploadUrl) {
        return uploadUrl.substring(uploadUrl.lastIndexOf('/') + 1);
    }

    /** This upload, if its file holds bytes of a body being received, or left by a refused one. */
    static List<String> partFiles(TestApp app, String id) {
        return app.sessionsWithUnrecordedBytes().stream().filter(id::equals).toList();
    }

    /**
     * Sends a request that declares {@code declaredLength} body bytes but sends only {@code sent},
     * waits until the server is receiving them, then closes the connection, as a client does that
     * loses its network mid-body.
     */
    static void sendAndDisconnect(TestApp app, String method, String path, Map<String, String> headers,
                                  long declaredLength, byte[] sent, BooleanSupplier receiving) throws Exception {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(declaredLength).append("\r\n\r\n");
        try (Socket socket = new Socket("localhost", URI.create(app.baseUrl()).getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(sent);
            out.flush();
            Await.until("the server to start receiving the body", receiving);
        }
    }

    /**
     * A completed tus upload: the session row is COMPLETED at {@code finalPath} with the source's
     * SHA-256 and size; the file there is byte-identical; the chunk rows run contiguously from
     * offset 0 to the size; no chunk bytes are left in the store.
     *
     * @return the chunk rows, for further assertions
     */
    static List<Chunk> assertCompleted(TestApp app, String id, String finalPath, String sha256, long size)
            throws IOException {
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(row.finalPath()).isEqualTo(finalPath);
        assertThat(row.sha256()).isEqualTo(sha256);
        assertThat(row.receivedBytes()).isEqualTo(size);
        assertThat(row.totalSize()).isEqualTo(size);
        assertThat(TestFiles.sha256(app.storage().resolve(finalPath))).as("SHA-256 of %s", finalPath).isEqualTo(sha256);

        List<Chunk> chunks = app.chunks(id);
        long offset = 0;
        for (Chunk chunk : chunks) {
            assertThat(chunk.chunkOffset()).as("offset of chunk %d", chunk.chunkNumber()).isEqualTo(offset);
            offset += chunk.sizeBytes();
        }
        assertThat(offset).as("bytes in the chunk rows").isEqualTo(size);
        assertThat(app.storageFixture().holdsAnythingFor(id)).as("chunk bytes left behind").isFalse();
        return chunks;
    }

    static List<Chunk> assertCompleted(TestApp app, String id, String finalPath, byte[] content) throws IOException {
        return assertCompleted(app, id, finalPath, TestFiles.sha256(content), content.length);
    }
}

package io.uploads.protocols.resumables;

import static io.uploads.protocols.resumables.ResumablesApiTest.assertRefused;
import static io.uploads.protocols.resumables.ResumablesApiTest.chunkedBody;
import static io.uploads.protocols.resumables.ResumablesApiTest.partFiles;
import static io.uploads.testing.TestFiles.randomBytes;
import static io.uploads.protocols.resumables.ResumablesApiTest.sessionCount;
import static io.uploads.protocols.resumables.ResumablesApiTest.stored;
import static io.uploads.protocols.resumables.ResumablesApiTest.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.protocols.resumables.ResumablesApiTest.Stored;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §5 limits: chunk size and upload size (413), open sessions per principal (429). */
abstract class ResumablesLimitsTest extends AppTestBase {

    private static final int MAX_CHUNK = 1024 * 1024;
    private static final int MAX_UPLOAD = 2 * MAX_CHUNK;

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {
                ConfigOverride.config("uploads.maxChunkSize", "1MiB"),
                ConfigOverride.config("uploads.maxUploadSize", "2MiB"),
                ConfigOverride.config("uploads.maxOpenSessionsPerPrincipal", "2")};
    }

    @Test
    void chunkOfExactlyTheLimitIsAccepted() {
        String token = app.token("at-limit", "limits");

        Reply created = http.patch(stream("at-limit.bin", "chunk=1"), token, randomBytes(MAX_CHUNK, 1));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("chunk_size").asLong()).isEqualTo(MAX_CHUNK);
    }

    @Test
    void declaredLengthOverTheChunkLimitIsRefusedBeforeTheBodyIsSent() throws IOException {
        String token = app.token("declared-large", "limits");

        RawReply refused = headersOnly("PATCH", stream("declared-large.bin", "chunk=1"), token, MAX_CHUNK + 1L);

        assertThat(refused.status()).isEqualTo(413);
        assertRefused(refused.asReply(), 413, "too_large", String.valueOf(MAX_CHUNK));
        assertThat(sessionCount(app, "declared-large")).isZero();
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void declaredLengthOverTheChunkLimitOnALaterChunkChangesNothing() throws IOException {
        String token = app.token("declared-large-later", "limits");
        String id = http.patch(stream("declared-later.bin", "chunk=1"), token, randomBytes(1_000, 2)).text("id");
        Stored before = stored(app, id);

        RawReply refused = headersOnly("PATCH", stream("declared-later.bin", "chunk=2&id=" + id), token,
                MAX_CHUNK + 1L);

        assertRefused(refused.asReply(), 413, "too_large");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void streamedBodyOverTheChunkLimitIsRefusedAndNothingIsKept() {
        String token = app.token("streamed-large", "limits");
        String id = http.patch(stream("streamed-later.bin", "chunk=1"), token, randomBytes(1_000, 3)).text("id");
        Stored before = stored(app, id);

        Reply first = http.send("PATCH", stream("streamed-large.bin", "chunk=1"), token,
                chunkedBody(randomBytes(MAX_CHUNK + 1, 4)), Map.of());
        Reply later = http.send("PATCH", stream("streamed-later.bin", "chunk=2&id=" + id), token,
                chunkedBody(randomBytes(MAX_CHUNK + 1, 5)), Map.of());

        assertRefused(first, 413, "too_large");
        assertRefused(later, 413, "too_large");
        assertThat(sessionCount(app, "streamed-large")).isEqualTo(1);
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void chunkThatTakesTheTotalBeyondTheUploadLimitIsRefused() throws IOException {
        String token = app.token("total-large", "limits");
        String id = http.patch(stream("total.bin", "chunk=1"), token, randomBytes(MAX_CHUNK, 6)).text("id");
        Reply atLimit = http.patch(stream("total.bin", "chunk=2&id=" + id), token, randomBytes(MAX_CHUNK, 7));
        assertThat(atLimit.json().get("next_offset").asLong()).isEqualTo(MAX_UPLOAD);
        Stored before = stored(app, id);

        Reply declared = http.patch(stream("total.bin", "chunk=3&id=" + id), token, new byte[1]);
        Reply streamed = http.send("PATCH", stream("total.bin", "chunk=3&id=" + id), token,
                chunkedBody(new byte[1]), Map.of());

        assertRefused(declared, 413, "too_large");
        assertRefused(streamed, 413, "too_large");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void wholeFileOverTheUploadLimitIsRefused() throws IOException {
        String token = app.token("put-large", "limits");

        RawReply declared = headersOnly("PUT", "/files/stream/put-large.bin", token, MAX_UPLOAD + 1L);
        Reply streamed = http.send("PUT", "/files/stream/put-large.bin", token,
                chunkedBody(randomBytes(MAX_UPLOAD + 1, 8)), Map.of());

        assertRefused(declared.asReply(), 413, "too_large", String.valueOf(MAX_UPLOAD));
        assertRefused(streamed, 413, "too_large");
        assertThat(sessionCount(app, "put-large")).isZero();
        assertThat(partFiles(app)).isEmpty();
        assertThat(app.storage().resolve("files/limits/put-large.bin")).doesNotExist();
    }

    @Test
    void wholeFileOfExactlyTheUploadLimitIsAccepted() {
        String token = app.token("put-at-limit", "limits");

        Reply put = http.put("/files/stream/put-at-limit.bin", token, randomBytes(MAX_UPLOAD, 9));

        assertThat(put.status()).isEqualTo(201);
        assertThat(put.json().get("size").asLong()).isEqualTo(MAX_UPLOAD);
    }

    @Test
    void tooManyOpenSessionsIsRefusedUntilOneIsFinished() {
        String token = app.token("busy", "limits");
        String first = http.patch(stream("busy-1.bin", "chunk=1"), token, randomBytes(10, 10)).text("id");
        http.patch(stream("busy-2.bin", "chunk=1"), token, randomBytes(10, 11));

        Reply refused = http.patch(stream("busy-3.bin", "chunk=1"), token, randomBytes(10, 12));

        assertRefused(refused, 429, "too_many_sessions", "2");
        assertThat(sessionCount(app, "busy")).isEqualTo(2);
        assertThat(partFiles(app)).isEmpty();
        assertThat(http.patch(stream("busy-3.bin", "chunk=1"), app.token("not-busy", "limits"), randomBytes(10, 13))
                .status()).isEqualTo(201);

        assertThat(http.patch(stream("busy-1.bin", "chunk=end&id=" + first), token, new byte[0]).status())
                .isEqualTo(201);
        assertThat(http.patch(stream("busy-3.bin", "chunk=1"), token, randomBytes(10, 14)).status()).isEqualTo(201);
        assertRefused(http.patch(stream("busy-4.bin", "chunk=1"), token, randomBytes(10, 15)), 429,
                "too_many_sessions");
        assertThat(sessionCount(app, "busy")).isEqualTo(3);
    }

    @Test
    void deletingAnOpenSessionFreesItsPlace() {
        String token = app.token("busy-delete", "limits");
        String first = http.patch(stream("free-1.bin", "chunk=1"), token, randomBytes(10, 16)).text("id");
        http.patch(stream("free-2.bin", "chunk=1"), token, randomBytes(10, 17));
        assertRefused(http.patch(stream("free-3.bin", "chunk=1"), token, randomBytes(10, 18)), 429,
                "too_many_sessions");

        assertThat(http.delete("/files/resumables?id=" + first, token).status()).isEqualTo(200);

        assertThat(http.patch(stream("free-3.bin", "chunk=1"), token, randomBytes(10, 19)).status()).isEqualTo(201);
    }

    // ---- a raw HTTP/1.1 exchange: the request head only, no body ----

    private record RawReply(int status, String body) {
        Reply asReply() {
            return new Reply(status, ResumablesApiTest.json(body), body, Map.of());
        }
    }

    /**
     * Sends only the head of a request that declares {@code contentLength} bytes and reads the
     * answer: a server that waited for the body would never answer (the read times out).
     */
    private RawReply headersOnly(String method, String pathAndQuery, String token, long contentLength)
            throws IOException {
        try (Socket socket = new Socket("localhost", URI.create(app.baseUrl()).getPort())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write((method + " " + pathAndQuery + " HTTP/1.1\r\n"
                    + "Host: localhost\r\n"
                    + "Authorization: Bearer " + token + "\r\n"
                    + "Content-Length: " + contentLength + "\r\n"
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.substring(head.indexOf(' ') + 1, head.indexOf(' ') + 4));
            int length = Integer.parseInt(header(head, "Content-Length"));
            return new RawReply(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response head ended: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + name + " header in " + head);
    }
}

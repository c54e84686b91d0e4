package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.db.ClaimDao;
import io.uploads.testing.Await;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestDatabase;
import io.uploads.testing.TestFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §7: two instances on one database and one storage directory take requests for the same
 * upload. Its file never has two writers: while one instance streams a body into it, the other
 * refuses a second writer at once, before reading a byte of that body; and a claim left by an
 * instance that died expires, after which the upload goes on and completes byte-identically.
 */
abstract class TwoWritersTest {

    private static final int SIZE = 2 << 20;

    protected abstract TestDatabase.Kind databaseKind();

    @TempDir
    Path tmp;

    private TestDatabase database;
    private TestApp first;
    private TestApp second;
    private String token;

    @BeforeEach
    void twoInstancesOnOneDatabaseAndStorage() {
        database = TestDatabase.create(databaseKind(), tmp);
        first = TestApp.start(database, tmp.resolve("storage"));
        second = TestApp.start(database, tmp.resolve("storage"));
        token = first.token("twin", "twin-group");
    }

    @AfterEach
    void stop() {
        second.close();
        first.close();
        database.close();
    }

    @Test
    void aSecondWriterOnTheOtherInstanceIsRefusedWithoutItsBodyBeingRead() throws Exception {
        byte[] file = bytes(SIZE, 1);
        String id = create(first.http(), "twins.bin");
        try (Socket streaming = new Socket("localhost", URI.create(first.baseUrl()).getPort())) {
            OutputStream out = streaming.getOutputStream();
            out.write(patchHead(id, 0, SIZE));
            out.write(file, 0, SIZE / 2);
            out.flush();
            Await.until("the first instance writing the body", () -> first.storageFixture().bytesHeld(id) > 0);

            // the second writer sends its headers and holds its body back: the answer comes without it
            assertThat(answerWithoutBody(second, id)).startsWith("HTTP/1.1 423 ");
            Reply head = second.http().send("HEAD", "/files/tus/" + id, token, BodyPublishers.noBody(),
                    Map.of("Tus-Resumable", "1.0.0"));
            assertThat(header(head, "Upload-Offset")).as("reads do not wait for the writer").isEqualTo("0");

            out.write(file, SIZE / 2, SIZE - SIZE / 2);
            out.flush();
            streaming.setSoTimeout(30_000);
            assertThat(statusLine(streaming)).startsWith("HTTP/1.1 204 ");
        }
        assertCompleted(id, "files/twin-group/twins.bin", file);
    }

    @Test
    void aClaimLeftByAnInstanceThatDiedExpiresAndTheUploadGoesOn() throws Exception {
        byte[] file = bytes(SIZE, 2);
        String id = create(second.http(), "orphan.bin");
        Instant until = Instant.now().plusSeconds(2);
        first.jdbi().onDemand(ClaimDao.class).insert("dead", id, 0, Long.MAX_VALUE, "4242@a-host-that-is-gone", until);
        first.storageFixture().writeAt(id, 0, bytes(SIZE / 3, 3));    // what the dead writer got to write

        // the body held back: a client sending it whole may see the refused connection reset before the answer
        assertThat(answerWithoutBody(second, id)).startsWith("HTTP/1.1 423 ");
        assertThat(first.session(id).orElseThrow().receivedBytes()).isZero();
        Await.until("the dead instance's claim to expire", () -> Instant.now().isAfter(until));

        Reply resumed = patch(second.http(), id, file);

        assertThat(resumed.status()).as(resumed.body()).isEqualTo(204);
        assertCompleted(id, "files/twin-group/orphan.bin", file);
    }

    private void assertCompleted(String id, String finalPath, byte[] file) throws Exception {
        Await.until("completion", () -> first.session(id).orElseThrow().finalPath() != null);
        assertThat(first.session(id).orElseThrow().sha256()).isEqualTo(TestFiles.sha256(file));
        assertThat(Files.readAllBytes(tmp.resolve("storage").resolve(finalPath))).isEqualTo(file);
        int claims = first.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM writer_claim")
                .mapTo(Integer.class).one());
        assertThat(claims).as("claims left").isZero();
        assertThat(first.storageFixture().holdsAnythingFor(id)).isFalse();
    }

    private String create(Http http, String filename) {
        Reply created = http.send("POST", "/files/tus", token, BodyPublishers.noBody(), Map.of(
                "Tus-Resumable", "1.0.0", "Upload-Length", String.valueOf(SIZE),
                "Upload-Metadata", "filename " + Base64.getEncoder().encodeToString(filename.getBytes(StandardCharsets.UTF_8))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String location = header(created, "Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private Reply patch(Http http, String id, byte[] file) {
        return http.send("PATCH", "/files/tus/" + id, token, BodyPublishers.ofByteArray(file), Map.of(
                "Tus-Resumable", "1.0.0", "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"));
    }

    /** The status line answered to a PATCH of the whole file whose headers are sent and whose body is held back. */
    private String answerWithoutBody(TestApp instance, String id) throws Exception {
        try (Socket socket = new Socket("localhost", URI.create(instance.baseUrl()).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(patchHead(id, 0, SIZE));
            socket.getOutputStream().flush();
            return statusLine(socket);
        }
    }

    private byte[] patchHead(String id, long offset, long length) {
        return ("PATCH /files/tus/" + id + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Tus-Resumable: 1.0.0\r\n"
                + "Upload-Offset: " + offset + "\r\n"
                + "Content-Type: application/offset+octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String header(Reply reply, String name) {
        return reply.headers().getOrDefault(name, java.util.List.of()).stream().findFirst().orElseThrow();
    }

    private static String statusLine(Socket socket) throws Exception {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}

package io.uploads.protocols.resumables;

import static io.uploads.protocols.resumables.ResumablesApiTest.assertRefused;
import static io.uploads.protocols.resumables.ResumablesApiTest.partFiles;
import static io.uploads.testing.TestFiles.randomBytes;
import static io.uploads.protocols.resumables.ResumablesApiTest.segment;
import static io.uploads.protocols.resumables.ResumablesApiTest.sessionCount;
import static io.uploads.protocols.resumables.ResumablesApiTest.stored;
import static io.uploads.protocols.resumables.ResumablesApiTest.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.SessionState;
import io.uploads.protocols.resumables.ResumablesApiTest.Stored;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Await;
import io.uploads.testing.Http.Reply;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §8 for the native API: every bad request answers JSON {@code {code, message, error}} and
 * leaves rows and bytes exactly as they were.
 */
abstract class ResumablesBadInputTest extends AppTestBase {

    /** 85 three-byte characters: exactly 255 bytes of UTF-8, the longest filename allowed. */
    private static final String NAME_OF_255_BYTES = "日".repeat(85);

    // ---- the chunk parameter ----

    @ParameterizedTest(name = "?{0}")
    @ValueSource(strings = {"chunk=0", "chunk=-1", "chunk=abc", "chunk=", "", "chunk=1.5", "chunk=2147483648",
            "chunk=END", "chunk=1&chunk=1"})
    void badChunkParameterIsRefusedAndCreatesNoSession(String query) {
        String token = app.token("bad-chunk-new", "bad-chunk-group");

        Reply refused = http.patch(stream("bad-chunk.bin", query), token, randomBytes(100, 1));

        assertRefused(refused, 400, "invalid_request", "chunk");
        assertThat(sessionCount(app, "bad-chunk-new")).isZero();
        assertThat(partFiles(app)).isEmpty();
    }

    @ParameterizedTest(name = "?{0}&id=..")
    @ValueSource(strings = {"chunk=0", "chunk=-1", "chunk=abc", "chunk=", "chunk=1.5", "chunk=1&chunk=2"})
    void badChunkParameterOnAnOpenSessionChangesNothing(String query) {
        String token = app.token("bad-chunk-resume", "bad-chunk-group");
        String id = http.patch(stream("bad-chunk-resume.bin", "chunk=1"), token, randomBytes(100, 2)).text("id");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("bad-chunk-resume.bin", query + "&id=" + id), token, randomBytes(100, 3));

        assertRefused(refused, 400, "invalid_request", "chunk");
        assertThat(stored(app, id)).isEqualTo(before);
    }

    @Test
    void laterChunkWithoutIdIsRefused() {
        String token = app.token("no-id", "no-id-group");

        Reply refused = http.patch(stream("no-id.bin", "chunk=2"), token, randomBytes(100, 4));

        assertRefused(refused, 400, "invalid_request", "id is required");
        assertThat(sessionCount(app, "no-id")).isZero();
    }

    @Test
    void endWithoutIdIsRefused() {
        String token = app.token("end-no-id", "end-no-id-group");
        String id = http.patch(stream("end-no-id.bin", "chunk=1"), token, randomBytes(100, 5)).text("id");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("end-no-id.bin", "chunk=end"), token, new byte[0]);

        assertRefused(refused, 400, "invalid_request", "id is required");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(app.storage().resolve("files/end-no-id-group")).doesNotExist();
    }

    @Test
    void deleteWithoutIdIsRefused() {
        String token = app.token("delete-no-id", "delete-no-id-group");
        String id = http.patch(stream("delete-no-id.bin", "chunk=1"), token, randomBytes(100, 6)).text("id");
        Stored before = stored(app, id);

        assertRefused(http.delete("/files/resumables/delete-no-id.bin", token), 400, "invalid_request", "id");
        assertRefused(http.delete("/files/resumables", token), 400, "invalid_request", "id");

        assertThat(stored(app, id)).isEqualTo(before);
    }

    // ---- session ids: malformed, unknown, someone else's ----

    @ParameterizedTest(name = "id={0}")
    @ValueSource(strings = {"42", "not-a-uuid", "..%2F..%2Fetc", "0a0a0a0a-0a0a-0a0a-0a0a-0a0a0a0a0a0a0",
            "0a0a0a0a_0a0a_0a0a_0a0a_0a0a0a0a0a0a"})
    void malformedIdIsRefusedEverywhere(String id) {
        String token = app.token("malformed-id", "malformed-id-group");

        for (Reply reply : everyRequestWithId(token, "malformed.bin", id)) {
            assertRefused(reply, 400, "invalid_request", "id");
        }
        assertThat(sessionCount(app, "malformed-id")).isZero();
    }

    @Test
    void unknownIdAnswers404Everywhere() {
        String token = app.token("unknown-id", "unknown-id-group");
        String id = UUID.randomUUID().toString();

        for (Reply reply : everyRequestWithId(token, "unknown.bin", id)) {
            assertRefused(reply, 404, "not_found", id);
        }
        assertThat(sessionCount(app, "unknown-id")).isZero();
        assertThat(app.session(id)).isEmpty();
    }

    @Test
    void anotherPrincipalsIdAnswers404AndChangesNothing() throws Exception {
        String owner = app.token("owner", "shared");
        String intruder = app.token("intruder", "shared");
        byte[] first = randomBytes(1_000, 7);
        String id = http.patch(stream("private.bin", "chunk=1"), owner, first).text("id");
        Stored before = stored(app, id);

        for (Reply reply : everyRequestWithId(intruder, "private.bin", id)) {
            assertRefused(reply, 404, "not_found", id);
        }
        assertRefused(http.patch(stream("private.bin", "chunk=1&id=" + id), intruder, first), 404, "not_found");
        assertRefused(http.get("/files/resumables/private.bin", intruder), 404, "not_found");

        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(http.get("/files/resumables", intruder).json().get("resumables")).isEmpty();
        assertThat(sessionCount(app, "intruder")).isZero();
        assertThat(app.storage().resolve("files/shared")).doesNotExist();
        assertThat(http.patch(stream("private.bin", "chunk=2&id=" + id), owner, randomBytes(10, 8)).status())
                .isEqualTo(201);
    }

    @Test
    void idOfAnotherFileAnswers404AndChangesNothing() {
        String token = app.token("two-files", "two-files-group");
        String id = http.patch(stream("mine.bin", "chunk=1"), token, randomBytes(100, 9)).text("id");
        Stored before = stored(app, id);

        assertRefused(http.patch(stream("other.bin", "chunk=2&id=" + id), token, randomBytes(100, 10)),
                404, "not_found", id);
        assertRefused(http.patch(stream("other.bin", "chunk=end&id=" + id), token, new byte[0]), 404, "not_found", id);
        assertRefused(http.get("/files/resumables/other.bin?id=" + id, token), 404, "not_found", id);
        assertRefused(http.delete("/files/resumables/other.bin?id=" + id, token), 404, "not_found", id);

        assertThat(stored(app, id)).isEqualTo(before);
    }

    // ---- filenames ----

    static Stream<String> namesTheServiceRefuses() {
        return Stream.of("..", ".", "nel\u0085char", "csi\u009bchar", NAME_OF_255_BYTES + "a", "é".repeat(128));
    }

    @ParameterizedTest(name = "filename {0}")
    @MethodSource("namesTheServiceRefuses")
    void filenameThatIsNotOneSafePathSegmentIsRefused(String filename) {
        String token = app.token("bad-name", "bad-name-group");

        assertRefused(http.patch(stream(filename, "chunk=1"), token, randomBytes(100, 10)), 400, "invalid_request",
                "filename");
        assertRefused(http.put("/files/stream/" + segment(filename), token, randomBytes(100, 11)), 400,
                "invalid_request", "filename");
        assertRefused(http.get("/files/resumables/" + segment(filename), token), 400, "invalid_request", "filename");

        assertThat(sessionCount(app, "bad-name")).isZero();
        assertThat(partFiles(app)).isEmpty();
        assertThat(app.storage().resolve("files/bad-name-group")).doesNotExist();
    }

    @Test
    void filenameOfExactly255BytesIsAccepted() throws Exception {
        String token = app.token("long-name", "long-name-group");
        byte[] file = randomBytes(100, 12);
        assertThat(NAME_OF_255_BYTES.getBytes(StandardCharsets.UTF_8)).hasSize(255);

        String id = http.patch(stream(NAME_OF_255_BYTES, "chunk=1"), token, file).text("id");
        Reply end = http.patch(stream(NAME_OF_255_BYTES, "chunk=end&id=" + id), token, new byte[0]);

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("filename")).isEqualTo(NAME_OF_255_BYTES);
        assertThat(Files.readAllBytes(app.storage().resolve("files/long-name-group").resolve(NAME_OF_255_BYTES)))
                .isEqualTo(file);
    }

    /** Its numbered names must fit the file system too: cut short, whole characters only. */
    @Test
    void aTakenFilenameOf255BytesIsPlacedUnderANumberedNameThatFits() throws Exception {
        String token = app.token("long-name-twice", "long-name-twice-group");
        byte[] first = randomBytes(100, 13);
        byte[] second = randomBytes(200, 14);
        assertThat(http.put(stream(NAME_OF_255_BYTES, ""), token, first).status()).isEqualTo(201);

        Reply again = http.put(stream(NAME_OF_255_BYTES, ""), token, second);

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        String numbered = "日".repeat(84) + "-1";
        assertThat(again.text("path")).isEqualTo("files/long-name-twice-group/" + numbered);
        Path dir = app.storage().resolve("files/long-name-twice-group");
        assertThat(Files.readAllBytes(dir.resolve(NAME_OF_255_BYTES))).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve(numbered))).isEqualTo(second);
    }

    /** A header the container refuses is named as such, not blamed on the filename. */
    @Test
    void aMalformedHeaderIsRefusedWithJsonThatNamesIt() {
        String answer = http.raw("PATCH " + stream("header.bin", "chunk=1") + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: abc\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("application/json").contains("Content-Length")
                .doesNotContain("filename");
    }

    @Test
    void aControlCharacterInAHeaderIsNotBlamedOnTheFilename() {
        String answer = http.raw("PATCH " + stream("header.bin", "chunk=1") + " HTTP/1.1\r\nHost: localhost\r\n"
                + "X-Thing: a\u0001b\r\nContent-Length: 0\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("application/json").doesNotContain("filename");
    }

    /**
     * Percent-encoded separators and control characters. Sent without a body: a valid name would
     * get 201 (empty PUT) or 404 (unknown id), so only a refused name answers 400 to all four.
     */
    @ParameterizedTest(name = "filename {0}")
    @ValueSource(strings = {"back%5Cslash", "ctrl%01char", "unit%1Fsep", "del%7F", "nul%00", "%2E%2E", "%2E", "a%2Fb",
            "..%2F..%2Fescape"})
    void filenameWithSeparatorsOrControlCharactersIsRefusedAndCreatesNoSession(String encoded) {
        String token = app.token("encoded-name", "encoded-name-group");

        for (Reply reply : bodilessRequestsNaming(token, encoded)) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        }

        assertThat(sessionCount(app, "encoded-name")).isZero();
        assertThat(partFiles(app)).isEmpty();
        assertThat(app.storage().resolve("files/encoded-name-group")).doesNotExist();
    }

    @ParameterizedTest(name = "filename {0}")
    @ValueSource(strings = {"back%5Cslash", "ctrl%01char", "unit%1Fsep", "del%7F", "nul%00", "%2E%2E", "%2E", "a%2Fb",
            "..%2F..%2Fescape"})
    void filenameWithSeparatorsOrControlCharactersIsRefusedWithJson(String encoded) {
        String token = app.token("encoded-name-json", "encoded-name-group");

        for (Reply reply : bodilessRequestsNaming(token, encoded)) {
            assertRefused(reply, 400, "invalid_request", "filename");
        }
        assertThat(sessionCount(app, "encoded-name-json")).isZero();
    }

    // ---- bodies ----

    @Test
    void emptyFirstChunkIsRefusedAndCreatesNoSession() {
        String token = app.token("empty-first", "empty-group");
        List<String> sessionsBefore = app.storageFixture().sessionsHeld();

        Reply refused = http.patch(stream("empty.bin", "chunk=1"), token, new byte[0]);

        assertRefused(refused, 400, "invalid_request", "empty");
        assertThat(sessionCount(app, "empty-first")).isZero();
        assertThat(partFiles(app)).isEmpty();
        assertThat(app.storageFixture().sessionsHeld()).as("no bytes for a session that never was").isEqualTo(sessionsBefore);
    }

    @Test
    void emptyLaterChunkIsRefusedAndChangesNothing() {
        String token = app.token("empty-later", "empty-group");
        String id = http.patch(stream("empty-later.bin", "chunk=1"), token, randomBytes(100, 16)).text("id");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("empty-later.bin", "chunk=2&id=" + id), token, new byte[0]);

        assertRefused(refused, 400, "invalid_request", "empty");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void clientThatDisconnectsMidBodyLeavesTheSessionAsItWas() throws Exception {
        String token = app.token("disconnect", "disconnect-group");
        String id = http.patch(stream("cut.bin", "chunk=1"), token, randomBytes(5_000, 17)).text("id");
        Stored before = stored(app, id);

        try (Socket socket = new Socket("localhost", URI.create(app.baseUrl()).getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(requestHead("PATCH", stream("cut.bin", "chunk=2&id=" + id), token, 100_000));
            out.write(randomBytes(1_000, 18));
            out.flush();
            Await.until("the server to start receiving chunk 2", () -> !partFiles(app).isEmpty());
        }
        Await.until("the server to discard the partial chunk", () -> partFiles(app).isEmpty());

        assertThat(stored(app, id)).isEqualTo(before);
        Reply retry = http.patch(stream("cut.bin", "chunk=2&id=" + id), token, randomBytes(3_000, 19));
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.json().get("next_offset").asLong()).isEqualTo(8_000);
    }

    // ---- groups ----

    @Test
    void groupTheTokenDoesNotHoldIsForbiddenAndCreatesNoSession() {
        String token = app.token("outsider", "outsider-group");

        assertRefused(http.patch(stream("forbidden.bin", "chunk=1&group=secret-group"), token, randomBytes(100, 20)),
                403, "forbidden_group", "secret-group");
        assertRefused(http.patch("/files/stream/secret-group/forbidden.bin?chunk=1", token, randomBytes(100, 21)),
                403, "forbidden_group", "secret-group");
        assertRefused(http.patch("/v1/p11/files/stream/secret-group/forbidden.bin?chunk=1", token,
                randomBytes(100, 22)), 403, "forbidden_group", "secret-group");
        assertRefused(http.put("/files/stream/secret-group/forbidden.bin", token, randomBytes(100, 23)),
                403, "forbidden_group", "secret-group");

        assertThat(sessionCount(app, "outsider")).isZero();
        assertThat(partFiles(app)).isEmpty();
        assertThat(app.storage().resolve("files/secret-group")).doesNotExist();
    }

    @Test
    void forbiddenGroupOnALaterChunkOrOnEndChangesNothing() {
        String token = app.token("group-switch", "own-group");
        String id = http.patch(stream("switch.bin", "chunk=1"), token, randomBytes(100, 24)).text("id");
        Stored before = stored(app, id);

        assertRefused(http.patch(stream("switch.bin", "chunk=2&id=" + id + "&group=secret-group"), token,
                randomBytes(100, 25)), 403, "forbidden_group", "secret-group");
        assertRefused(http.patch(stream("switch.bin", "chunk=end&id=" + id + "&group=secret-group"), token,
                new byte[0]), 403, "forbidden_group", "secret-group");

        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(before.session().orElseThrow().state()).isEqualTo(SessionState.OPEN);
        assertThat(app.storage().resolve("files/secret-group")).doesNotExist();
        assertThat(app.storage().resolve("files/own-group")).doesNotExist();
    }

    @Test
    void groupInPathAndQueryThatDisagreeIsRefused() {
        String token = app.token("two-groups", "group-a", "group-b");

        Reply refused = http.patch("/files/stream/group-a/disagree.bin?chunk=1&group=group-b", token,
                randomBytes(100, 26));

        assertRefused(refused, 400, "invalid_request", "group-a", "group-b");
        assertRefused(http.put("/files/stream/group-a/disagree.bin?group=group-b", token, randomBytes(100, 27)),
                400, "invalid_request", "group-a", "group-b");
        assertThat(sessionCount(app, "two-groups")).isZero();
    }

    @ParameterizedTest(name = "PUT ?{0}")
    @ValueSource(strings = {"group=", "group=own-group&group=own-group"})
    void wholeFilePutWithAnEmptyOrRepeatedGroupIsRefused(String query) {
        String token = app.token("put-group", "own-group");

        assertRefused(http.put("/files/stream/put-group.bin?" + query, token, randomBytes(100, 28)),
                400, "invalid_request", "group");
        assertThat(sessionCount(app, "put-group")).isZero();
    }

    // ---- integrity parameters ----

    @ParameterizedTest(name = "?{0}")
    @ValueSource(strings = {"md5sum=xyz", "md5sum=0123456789abcdef0123456789abcde", "md5sum=",
            "md5sum=0123456789abcdef0123456789abcdefa", "offset=-1", "offset=abc", "offset=", "offset=1e3"})
    void malformedIntegrityParameterIsRefused(String parameter) {
        String token = app.token("bad-integrity", "bad-integrity-group");
        String id = http.patch(stream("integrity.bin", "chunk=1"), token, randomBytes(100, 28)).text("id");
        Stored before = stored(app, id);
        int sessions = sessionCount(app, "bad-integrity");
        String name = parameter.substring(0, parameter.indexOf('='));

        assertRefused(http.patch(stream("integrity.bin", "chunk=1&" + parameter), token, randomBytes(100, 29)),
                400, "invalid_request", name);
        assertRefused(http.patch(stream("integrity.bin", "chunk=2&id=" + id + "&" + parameter), token,
                randomBytes(100, 30)), 400, "invalid_request", name);

        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(sessionCount(app, "bad-integrity")).isEqualTo(sessions);
    }

    // ---- authentication ----

    @Test
    void requestWithoutValidTokenIsUnauthorizedAndStoresNothing() {
        for (String token : new String[] {null, "not-a-token", app.token("real", "real-group") + "x"}) {
            for (Reply reply : List.of(
                    http.patch(stream("anonymous.bin", "chunk=1"), token, randomBytes(100, 31)),
                    http.put("/files/stream/anonymous.bin", token, randomBytes(100, 32)),
                    http.get("/files/resumables", token),
                    http.get("/files/resumables/anonymous.bin", token),
                    http.delete("/files/resumables?id=" + UUID.randomUUID(), token))) {
                assertThat(reply.status()).as(reply.body()).isEqualTo(401);
                assertThat(reply.json()).as(reply.body()).isNotNull();
                assertThat(reply.json().get("code").asInt()).isEqualTo(401);
                assertThat(reply.text("message")).isNotBlank();
            }
        }
        int anonymousSessions = app.jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM upload_session WHERE filename = 'anonymous.bin'").mapTo(Integer.class).one());
        assertThat(anonymousSessions).isZero();
        assertThat(partFiles(app)).isEmpty();
    }

    // ---- helpers ----

    /** Every request of the API that names a session: next chunk, end, get, both deletes. */
    private List<Reply> everyRequestWithId(String token, String filename, String id) {
        return List.of(
                http.patch(stream(filename, "chunk=2&id=" + id), token, randomBytes(100, 99)),
                http.patch(stream(filename, "chunk=end&id=" + id), token, new byte[0]),
                http.get("/files/resumables/" + segment(filename) + "?id=" + id, token),
                http.delete("/files/resumables/" + segment(filename) + "?id=" + id, token),
                http.delete("/files/resumables?id=" + id, token));
    }

    /** No request body, so a server that refuses the URI early cannot reset the connection under it. */
    private List<Reply> bodilessRequestsNaming(String token, String encodedFilename) {
        String unknownId = UUID.randomUUID().toString();
        return List.of(
                http.put("/files/stream/" + encodedFilename, token, new byte[0]),
                http.patch("/files/stream/" + encodedFilename + "?chunk=end&id=" + unknownId, token, new byte[0]),
                http.get("/files/resumables/" + encodedFilename, token),
                http.delete("/files/resumables/" + encodedFilename + "?id=" + unknownId, token));
    }

    private static byte[] requestHead(String method, String pathAndQuery, String token, long contentLength) {
        return (method + " " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: " + contentLength + "\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}

package io.uploads.protocols.resumables;

import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §4.1 over real HTTP: statuses, bodies, the rows left behind and the bytes on disk.
 *
 * <p>The service is shared by the whole class, so every test uses principals and filenames of its
 * own. The static helpers at the end are shared with the other tests of this package.
 */
abstract class ResumablesApiTest extends AppTestBase {

    private String token;

    @BeforeAll
    void issueToken() {
        token = app.token("alice", "alice-group", "shared-group");
    }

    @Test
    void uploadsInChunksAndAssemblesTheFile() throws Exception {
        byte[] file = randomBytes(300_000, 1);
        Reply first = http.patch("/files/stream/report.bin?chunk=1", token, slice(file, 0, 100_000));
        assertThat(first.status()).isEqualTo(201);
        String id = first.text("id");
        assertThat(first.json().get("max_chunk").isInt()).isTrue();
        assertThat(first.json().get("next_offset").asLong()).isEqualTo(100_000);
        assertThat(first.text("group")).isEqualTo("alice-group");

        assertThat(http.patch("/files/stream/report.bin?chunk=2&id=" + id, token, slice(file, 100_000, 200_000)).status())
                .isEqualTo(201);
        assertThat(http.patch("/files/stream/report.bin?chunk=3&id=" + id, token, slice(file, 200_000, 300_000)).status())
                .isEqualTo(201);
        Reply end = http.patch("/files/stream/report.bin?chunk=end&id=" + id, token, new byte[0]);

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("max_chunk")).isEqualTo("end");
        assertThat(end.text("sha256")).isEqualTo(sha256(file));
        assertThat(Files.readAllBytes(app.storage().resolve(end.text("path")))).isEqualTo(file);
        assertThat(app.chunks(id)).extracting(Chunk::chunkOffset).containsExactly(0L, 100_000L, 200_000L);
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(row.sha256()).isEqualTo(sha256(file));
    }

    // ---- creating a session and adding chunks ----

    @Test
    void firstChunkWithoutIdCreatesTheSession() throws Exception {
        String bob = app.token("bob", "bob-main", "bob-other");
        byte[] chunk = randomBytes(1_000, 2);

        Reply created = http.patch(stream("created.bin", "chunk=1"), bob, chunk);

        assertThat(created.status()).isEqualTo(201);
        JsonNode info = created.json();
        String id = info.get("id").asText();
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(info.get("filename").asText()).isEqualTo("created.bin");
        assertIntegers(info, "max_chunk", "chunk_size", "previous_offset", "next_offset");
        assertThat(info.get("max_chunk").asInt()).isEqualTo(1);
        assertThat(info.get("chunk_size").asLong()).isEqualTo(1_000);
        assertThat(info.get("previous_offset").asLong()).isZero();
        assertThat(info.get("next_offset").asLong()).isEqualTo(1_000);
        assertThat(info.get("md5sum").asText()).isEqualTo(TestFiles.md5(chunk));
        assertThat(info.get("group").asText()).isEqualTo("bob-main");
        assertThat(info.get("state").asText()).isEqualTo("OPEN");
        assertThat(info.has("path")).isFalse();
        assertThat(info.has("sha256")).isFalse();

        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.owner()).isEqualTo("bob");
        assertThat(row.groupName()).isEqualTo("bob-main");
        assertThat(row.filename()).isEqualTo("created.bin");
        assertThat(row.state()).isEqualTo(SessionState.OPEN);
        assertThat(row.maxChunk()).isEqualTo(1);
        assertThat(row.receivedBytes()).isEqualTo(1_000);
        assertThat(Instant.parse(info.get("created_at").asText())).isEqualTo(row.createdAt());
        assertThat(Instant.parse(info.get("updated_at").asText())).isEqualTo(row.updatedAt());
        assertThat(Instant.parse(info.get("expires_at").asText())).isEqualTo(row.expiresAt()).isAfter(row.createdAt());
        assertThat(app.chunks(id)).singleElement().satisfies(c -> {
            assertThat(c.chunkNumber()).isEqualTo(1);
            assertThat(c.chunkOffset()).isZero();
            assertThat(c.sizeBytes()).isEqualTo(1_000);
            assertThat(c.md5()).isEqualTo(TestFiles.md5(chunk));
        });
        assertThat(app.chunkBytes(id, 1)).isEqualTo(chunk);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void laterChunkCarriesTheIdAndAdvancesTheInfo() throws Exception {
        String carol = app.token("carol", "carol-group");
        byte[] one = randomBytes(1_000, 3);
        byte[] two = randomBytes(1_500, 4);
        Reply first = http.patch(stream("later.bin", "chunk=1"), carol, one);
        String id = first.text("id");

        Reply second = http.patch(stream("later.bin", "chunk=2&id=" + id), carol, two);

        assertThat(second.status()).isEqualTo(201);
        JsonNode info = second.json();
        assertIntegers(info, "max_chunk", "chunk_size", "previous_offset", "next_offset");
        assertThat(info.get("id").asText()).isEqualTo(id);
        assertThat(info.get("max_chunk").asInt()).isEqualTo(2);
        assertThat(info.get("chunk_size").asLong()).isEqualTo(1_500);
        assertThat(info.get("next_offset").asLong()).isEqualTo(2_500);
        assertThat(info.get("previous_offset").asLong()).isEqualTo(1_000);
        assertThat(info.get("md5sum").asText()).isEqualTo(TestFiles.md5(two));
        assertThat(info.get("created_at")).isEqualTo(first.json().get("created_at"));
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.maxChunk()).isEqualTo(2);
        assertThat(row.receivedBytes()).isEqualTo(2_500);
        assertThat(app.chunks(id)).extracting(Chunk::chunkNumber, Chunk::chunkOffset, Chunk::sizeBytes, Chunk::md5)
                .containsExactly(
                        tuple(1, 0L, 1_000L, TestFiles.md5(one)),
                        tuple(2, 1_000L, 1_500L, TestFiles.md5(two)));
        assertThat(app.chunkBytes(id, 2)).isEqualTo(two);
    }

    @Test
    void tsdClientPathsWithProjectPrefixAndGroupSegmentWork() throws Exception {
        String dave = app.token("dave", "p11-member-group", "p11-export-group");
        byte[] file = randomBytes(3_000, 5);
        String base = "/v1/p11/files/stream/p11-export-group/tsd.bin";

        Reply first = http.patch(base + "?chunk=1", dave, slice(file, 0, 2_000));
        String id = first.text("id");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.text("group")).isEqualTo("p11-export-group");
        assertThat(http.patch(base + "?chunk=2&id=" + id, dave, slice(file, 2_000, 3_000)).status()).isEqualTo(201);
        Reply resumable = http.get("/v1/p11/files/resumables/tsd.bin", dave);
        assertThat(resumable.status()).isEqualTo(200);
        assertThat(resumable.text("id")).isEqualTo(id);
        assertThat(resumable.json().get("next_offset").asLong()).isEqualTo(3_000);

        Reply end = http.patch(base + "?chunk=end&id=" + id, dave, new byte[0]);

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("path")).isEqualTo("files/p11-export-group/tsd.bin");
        assertThat(Files.readAllBytes(app.storage().resolve("files/p11-export-group/tsd.bin"))).isEqualTo(file);
        assertThat(app.session(id).orElseThrow().groupName()).isEqualTo("p11-export-group");
    }

    @Test
    void groupSegmentWithoutProjectPrefixWorks() throws Exception {
        String erin = app.token("erin", "erin-a", "erin-b");
        byte[] file = randomBytes(500, 6);

        Reply first = http.patch("/files/stream/erin-b/segment.bin?chunk=1", erin, file);
        String id = first.text("id");
        Reply end = http.patch("/files/stream/erin-b/segment.bin?chunk=end&id=" + id, erin, new byte[0]);

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.text("group")).isEqualTo("erin-b");
        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("path")).isEqualTo("files/erin-b/segment.bin");
        assertThat(Files.readAllBytes(app.storage().resolve("files/erin-b/segment.bin"))).isEqualTo(file);
    }

    @Test
    void groupOnFirstChunkIsKeptWhenEndHasNone() throws Exception {
        String frank = app.token("frank", "frank-a", "frank-b");
        byte[] file = randomBytes(700, 7);

        String id = http.patch(stream("first-group.bin", "chunk=1&group=frank-b"), frank, file).text("id");
        Reply end = end(frank, "first-group.bin", id, "");

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("group")).isEqualTo("frank-b");
        assertThat(end.text("path")).isEqualTo("files/frank-b/first-group.bin");
        assertThat(Files.readAllBytes(app.storage().resolve(end.text("path")))).isEqualTo(file);
    }

    @Test
    void groupGivenOnlyOnEndDecidesTheDirectory() throws Exception {
        String grace = app.token("grace", "grace-a", "grace-b");
        byte[] file = randomBytes(800, 8);
        Reply first = http.patch(stream("end-group.bin", "chunk=1"), grace, file);
        assertThat(first.text("group")).isEqualTo("grace-a");

        Reply end = end(grace, "end-group.bin", first.text("id"), "&group=grace-b");

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("group")).isEqualTo("grace-b");
        assertThat(end.text("path")).isEqualTo("files/grace-b/end-group.bin");
        assertThat(Files.readAllBytes(app.storage().resolve("files/grace-b/end-group.bin"))).isEqualTo(file);
        assertThat(app.storage().resolve("files/grace-a/end-group.bin")).doesNotExist();
        assertThat(app.session(first.text("id")).orElseThrow().groupName()).isEqualTo("grace-b");
    }

    // ---- chunk order, resends, integrity checks ----

    @Test
    void resentLastChunkWithTheSameBytesIsAcknowledgedAndChangesNothing() {
        String heidi = app.token("heidi", "heidi-group");
        byte[] two = randomBytes(2_000, 10);
        String id = http.patch(stream("resend.bin", "chunk=1"), heidi, randomBytes(1_000, 9)).text("id");
        Reply second = http.patch(stream("resend.bin", "chunk=2&id=" + id), heidi, two);
        Stored before = stored(app, id);

        Reply again = http.patch(stream("resend.bin", "chunk=2&id=" + id), heidi, two);

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json()).isEqualTo(second.json());
        assertThat(stored(app, id)).isEqualTo(before);
    }

    @Test
    void resentLastChunkWithDifferentBytesIsRefusedAndChangesNothing() {
        String ivan = app.token("ivan", "ivan-group");
        byte[] two = randomBytes(2_000, 12);
        String id = http.patch(stream("resend-other.bin", "chunk=1"), ivan, randomBytes(1_000, 11)).text("id");
        http.patch(stream("resend-other.bin", "chunk=2&id=" + id), ivan, two);
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("resend-other.bin", "chunk=2&id=" + id), ivan, randomBytes(2_000, 13));

        assertRefused(refused, 400, "chunk_order_incorrect", "expected chunk 3");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @ParameterizedTest(name = "chunk {0} after chunk 2")
    @ValueSource(ints = {1, 4, 9})
    void chunkOutOfOrderIsRefusedWithTheExpectedNumberAndChangesNothing(int number) {
        String judy = app.token("judy", "judy-group");
        String name = "order-" + number + ".bin";
        String id = http.patch(stream(name, "chunk=1"), judy, randomBytes(100, 14)).text("id");
        http.patch(stream(name, "chunk=2&id=" + id), judy, randomBytes(100, 15));
        Stored before = stored(app, id);

        Reply refused = http.patch(stream(name, "chunk=" + number + "&id=" + id), judy, randomBytes(100, 16));

        assertRefused(refused, 400, "chunk_order_incorrect", "expected chunk 3");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void resumedUploadMayUseADifferentChunkSize() throws Exception {
        String ken = app.token("ken", "ken-group");
        byte[] file = randomBytes(450, 17);
        String id = http.patch(stream("sizes.bin", "chunk=1"), ken, slice(file, 0, 100)).text("id");

        Reply bigger = http.patch(stream("sizes.bin", "chunk=2&id=" + id), ken, slice(file, 100, 400));
        Reply smaller = http.patch(stream("sizes.bin", "chunk=3&id=" + id), ken, slice(file, 400, 450));
        Reply end = end(ken, "sizes.bin", id, "");

        assertThat(bigger.json().get("chunk_size").asLong()).isEqualTo(300);
        assertThat(bigger.json().get("previous_offset").asLong()).isEqualTo(100);
        assertThat(smaller.json().get("chunk_size").asLong()).isEqualTo(50);
        assertThat(smaller.json().get("next_offset").asLong()).isEqualTo(450);
        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("sha256")).isEqualTo(sha256(file));
        assertThat(Files.readAllBytes(app.storage().resolve(end.text("path")))).isEqualTo(file);
    }

    @Test
    void matchingMd5sumIsAccepted() {
        String leo = app.token("leo", "leo-group");
        byte[] one = randomBytes(1_000, 18);
        byte[] two = randomBytes(1_000, 19);

        Reply first = http.patch(stream("md5-ok.bin", "chunk=1&md5sum=" + TestFiles.md5(one)), leo, one);
        String id = first.text("id");
        Reply second = http.patch(stream("md5-ok.bin",
                "chunk=2&id=" + id + "&md5sum=" + TestFiles.md5(two).toUpperCase()), leo, two);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.text("md5sum")).isEqualTo(TestFiles.md5(two));
        assertThat(app.chunks(id)).extracting(Chunk::md5).containsExactly(TestFiles.md5(one), TestFiles.md5(two));
    }

    @Test
    void mismatchingMd5sumIsRefusedAndNothingIsKept() {
        String mia = app.token("mia", "mia-group");
        byte[] one = randomBytes(1_000, 20);
        String id = http.patch(stream("md5-bad.bin", "chunk=1"), mia, one).text("id");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("md5-bad.bin", "chunk=2&id=" + id + "&md5sum=" + TestFiles.md5(one)),
                mia, randomBytes(1_000, 21));

        assertRefused(refused, 400, "checksum_mismatch", TestFiles.md5(one));
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void mismatchingMd5sumOnTheFirstChunkCreatesNoSession() {
        String nina = app.token("nina", "nina-group");
        byte[] one = randomBytes(1_000, 22);

        Reply refused = http.patch(stream("md5-first.bin", "chunk=1&md5sum=" + TestFiles.md5(new byte[1])), nina, one);

        assertRefused(refused, 400, "checksum_mismatch");
        assertThat(sessionCount(app, "nina")).isZero();
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void offsetEqualToNextOffsetIsAccepted() {
        String olga = app.token("olga", "olga-group");
        String id = http.patch(stream("offset-ok.bin", "chunk=1&offset=0"), olga, randomBytes(1_234, 23)).text("id");

        Reply second = http.patch(stream("offset-ok.bin", "chunk=2&id=" + id + "&offset=1234"), olga, randomBytes(10, 24));

        assertThat(id).isNotNull();
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().get("next_offset").asLong()).isEqualTo(1_244);
    }

    @ParameterizedTest(name = "offset={0} when next_offset is 1234")
    @ValueSource(longs = {0, 1_233, 1_235, 5_000})
    void offsetOtherThanNextOffsetIsRefusedAndChangesNothing(long offset) {
        String peggy = app.token("peggy", "peggy-group");
        String name = "offset-" + offset + ".bin";
        String id = http.patch(stream(name, "chunk=1"), peggy, randomBytes(1_234, 25)).text("id");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream(name, "chunk=2&id=" + id + "&offset=" + offset), peggy, randomBytes(10, 26));

        assertRefused(refused, 400, "offset_mismatch", String.valueOf(offset), "1234");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void nonZeroOffsetOnTheFirstChunkCreatesNoSession() {
        String quinn = app.token("quinn", "quinn-group");

        Reply refused = http.patch(stream("offset-first.bin", "chunk=1&offset=10"), quinn, randomBytes(10, 27));

        assertRefused(refused, 400, "offset_mismatch");
        assertThat(sessionCount(app, "quinn")).isZero();
    }

    // ---- completion ----

    @Test
    void endAssemblesTheFileAndAnswersItsPathSizeAndSha256() throws Exception {
        String rita = app.token("rita", "rita-group");
        byte[] file = randomBytes(5_000, 28);
        String id = http.patch(stream("done.bin", "chunk=1"), rita, slice(file, 0, 3_000)).text("id");
        http.patch(stream("done.bin", "chunk=2&id=" + id), rita, slice(file, 3_000, 5_000));

        Reply end = end(rita, "done.bin", id, "");

        assertThat(end.status()).isEqualTo(201);
        JsonNode info = end.json();
        assertThat(info.get("max_chunk").isTextual()).isTrue();
        assertThat(info.get("max_chunk").asText()).isEqualTo("end");
        assertThat(info.get("path").asText()).isEqualTo("files/rita-group/done.bin");
        assertThat(info.get("size").isIntegralNumber()).isTrue();
        assertThat(info.get("size").asLong()).isEqualTo(5_000);
        assertThat(info.get("sha256").asText()).isEqualTo(sha256(file));
        assertThat(info.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(info.get("id").asText()).isEqualTo(id);
        assertThat(Files.readAllBytes(app.storage().resolve("files/rita-group/done.bin"))).isEqualTo(file);
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(row.finalPath()).isEqualTo("files/rita-group/done.bin");
        assertThat(row.sha256()).isEqualTo(sha256(file));
        assertThat(row.completedAt()).isNotNull();
        assertThat(app.chunks(id)).hasSize(2);
        assertThat(app.storageFixture().contentsOf(id)).isEmpty();
    }

    @Test
    void repeatedEndGivesTheSameAnswerAndChangesNothing() throws Exception {
        String sam = app.token("sam", "sam-group");
        byte[] file = randomBytes(900, 29);
        String id = http.patch(stream("twice.bin", "chunk=1"), sam, file).text("id");
        Reply end = end(sam, "twice.bin", id, "");
        Stored before = stored(app, id);

        Reply again = end(sam, "twice.bin", id, "");

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json()).isEqualTo(end.json());
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(filesIn(app.storage().resolve("files/sam-group"))).containsOnlyKeys("twice.bin");
        assertThat(Files.readAllBytes(app.storage().resolve("files/sam-group/twice.bin"))).isEqualTo(file);
    }

    @Test
    void chunkAfterCompletionIsRefusedWithConflict() throws Exception {
        String tina = app.token("tina", "tina-group");
        byte[] file = randomBytes(900, 30);
        String id = http.patch(stream("closed.bin", "chunk=1"), tina, file).text("id");
        end(tina, "closed.bin", id, "");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("closed.bin", "chunk=2&id=" + id), tina, randomBytes(100, 31));

        assertRefused(refused, 409, "session_not_open", "COMPLETED");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(Files.readAllBytes(app.storage().resolve("files/tina-group/closed.bin"))).isEqualTo(file);
        assertThat(partFiles(app)).isEmpty();
    }

    @Test
    void endWithTheTsdClientsModifiedTimeHeaderWorks() throws Exception {
        String uma = app.token("uma", "uma-group");
        byte[] file = randomBytes(600, 32);
        String id = http.patch(stream("modified.bin", "chunk=1"), uma, file).text("id");

        Reply end = http.send("PATCH", stream("modified.bin", "chunk=end&id=" + id), uma, BodyPublishers.noBody(),
                Map.of("Modified-Time", "None"));

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("max_chunk")).isEqualTo("end");
        assertThat(Files.readAllBytes(app.storage().resolve("files/uma-group/modified.bin"))).isEqualTo(file);
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"", "application/x-www-form-urlencoded", "application/octet-stream",
            "text/plain; charset=utf-8", "application/json"})
    void chunkBodyIsStoredRawWhateverTheContentType(String contentType) throws Exception {
        String victor = app.token("victor", "victor-group");
        byte[] body = "a=1&b=two+words&c=%41\r\n{\"x\": 1}\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        Map<String, String> headers = contentType.isEmpty() ? Map.of() : Map.of("Content-Type", contentType);
        String name = "raw-" + (contentType.isEmpty() ? "none" : contentType.replaceAll("[^a-z]+", "-")) + ".bin";

        Reply created = http.send("PATCH", stream(name, "chunk=1"), victor, BodyPublishers.ofByteArray(body), headers);

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("md5sum")).isEqualTo(TestFiles.md5(body));
        assertThat(created.json().get("chunk_size").asLong()).isEqualTo(body.length);
        assertThat(app.chunkBytes(created.text("id"), 1)).isEqualTo(body);
    }

    // ---- whole file in one PUT, and existing final names ----

    @Test
    void putUploadsAWholeFileInOneRequest() throws Exception {
        String walt = app.token("walt", "walt-a", "walt-b");
        byte[] file = randomBytes(70_000, 33);

        Reply put = http.put("/files/stream/walt-b/whole.bin", walt, file);

        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("max_chunk")).isEqualTo("end");
        assertThat(put.text("state")).isEqualTo("COMPLETED");
        assertThat(put.text("path")).isEqualTo("files/walt-b/whole.bin");
        assertThat(put.json().get("size").asLong()).isEqualTo(70_000);
        assertThat(put.text("sha256")).isEqualTo(sha256(file));
        assertThat(Files.readAllBytes(app.storage().resolve("files/walt-b/whole.bin"))).isEqualTo(file);
        UploadSession row = app.session(put.text("id")).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(row.owner()).isEqualTo("walt");
    }

    @Test
    void putWithAChunkedRequestBodyWorks() throws Exception {
        String xena = app.token("xena", "xena-group");
        byte[] file = randomBytes(300_000, 34);

        Reply put = http.send("PUT", "/files/stream/xena-group/chunked.bin", xena, chunkedBody(file), Map.of());

        assertThat(put.status()).as(put.body()).isEqualTo(201);
        assertThat(put.text("sha256")).isEqualTo(sha256(file));
        assertThat(put.json().get("size").asLong()).isEqualTo(300_000);
        assertThat(Files.readAllBytes(app.storage().resolve("files/xena-group/chunked.bin"))).isEqualTo(file);
    }

    @Test
    void existingFinalNameIsNeverOverwrittenButRenamed() throws Exception {
        String yara = app.token("yara", "yara-group");
        byte[] original = randomBytes(1_000, 35);
        byte[] second = randomBytes(1_000, 36);
        byte[] third = randomBytes(1_000, 37);
        assertThat(http.put("/files/stream/dup.txt", yara, original).text("path")).isEqualTo("files/yara-group/dup.txt");

        Reply put = http.put("/files/stream/dup.txt", yara, second);
        String id = http.patch(stream("dup.txt", "chunk=1"), yara, third).text("id");
        Reply end = end(yara, "dup.txt", id, "");

        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("path")).isEqualTo("files/yara-group/dup-1.txt");
        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("path")).isEqualTo("files/yara-group/dup-2.txt");
        Path dir = app.storage().resolve("files/yara-group");
        assertThat(Files.readAllBytes(dir.resolve("dup.txt"))).isEqualTo(original);
        assertThat(Files.readAllBytes(dir.resolve("dup-1.txt"))).isEqualTo(second);
        assertThat(Files.readAllBytes(dir.resolve("dup-2.txt"))).isEqualTo(third);
        assertThat(app.session(id).orElseThrow().finalPath()).isEqualTo("files/yara-group/dup-2.txt");
    }

    @Test
    void existingNameWithoutExtensionGetsASuffix() throws Exception {
        String zack = app.token("zack", "zack-group");
        byte[] original = randomBytes(100, 38);
        http.put("/files/stream/README", zack, original);

        Reply put = http.put("/files/stream/README", zack, randomBytes(100, 39));

        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("path")).isEqualTo("files/zack-group/README-1");
        assertThat(Files.readAllBytes(app.storage().resolve("files/zack-group/README"))).isEqualTo(original);
    }

    // ---- resumables: list, get, delete ----

    @Test
    void listShowsOnlyTheCallersOpenSessionsMostRecentlyActiveFirst() {
        String lister = app.token("lister", "lister-group");
        String older = http.patch(stream("list-a.bin", "chunk=1"), lister, randomBytes(10, 40)).text("id");
        String newer = http.patch(stream("list-b.bin", "chunk=1"), lister, randomBytes(20, 41)).text("id");
        String completed = http.patch(stream("list-c.bin", "chunk=1"), lister, randomBytes(30, 42)).text("id");
        end(lister, "list-c.bin", completed, "");
        String deleted = http.patch(stream("list-d.bin", "chunk=1"), lister, randomBytes(40, 43)).text("id");
        http.delete("/files/resumables/list-d.bin?id=" + deleted, lister);
        String someoneElses = http.patch(stream("list-a.bin", "chunk=1"), app.token("not-lister", "other-group"),
                randomBytes(10, 44)).text("id");

        Reply list = http.get("/files/resumables", lister);

        assertThat(list.status()).isEqualTo(200);
        assertThat(ids(list)).containsExactly(newer, older).doesNotContain(someoneElses);
        JsonNode first = list.json().get("resumables").get(0);
        assertThat(first.get("filename").asText()).isEqualTo("list-b.bin");
        assertThat(first.get("next_offset").asLong()).isEqualTo(20);
        assertThat(first.get("state").asText()).isEqualTo("OPEN");

        http.patch(stream("list-a.bin", "chunk=2&id=" + older), lister, randomBytes(5, 45));
        assertThat(ids(http.get("/files/resumables", lister))).containsExactly(older, newer);
    }

    @Test
    void getWithoutIdAnswersTheMostRecentlyActiveOpenSessionOfThatFile() {
        String amy = app.token("amy", "amy-group");
        String first = http.patch(stream("latest.bin", "chunk=1"), amy, randomBytes(10, 46)).text("id");
        String second = http.patch(stream("latest.bin", "chunk=1"), amy, randomBytes(10, 47)).text("id");
        assertThat(http.get("/files/resumables/latest.bin", amy).text("id")).isEqualTo(second);

        Reply progressed = http.patch(stream("latest.bin", "chunk=2&id=" + first), amy, randomBytes(10, 48));
        Reply latest = http.get("/files/resumables/latest.bin", amy);

        assertThat(latest.status()).isEqualTo(200);
        assertThat(latest.json()).isEqualTo(progressed.json());
    }

    /** The TSD client resumes what this answers: another protocol's upload of the name would refuse its chunks. */
    @Test
    void getWithoutIdAnswersOnlyANativeSessionNotAnotherProtocolsOfTheSameName() {
        String tina = app.token("tina", "tina-group");
        String metadata = "filename " + java.util.Base64.getEncoder().encodeToString("shared.bin".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        Reply tus = http.send("POST", "/files/tus", tina, java.net.http.HttpRequest.BodyPublishers.noBody(),
                java.util.Map.of("Tus-Resumable", "1.0.0", "Upload-Length", "100", "Upload-Metadata", metadata));
        assertThat(tus.status()).isEqualTo(201);

        assertRefused(http.get("/files/resumables/shared.bin", tina), 404, "not_found", "shared.bin");

        String nativeId = http.patch(stream("shared.bin", "chunk=1"), tina, randomBytes(10, 53)).text("id");
        Reply resumed = http.get("/files/resumables/shared.bin", tina);
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.text("id")).isEqualTo(nativeId);
    }

    @Test
    void getWithIdAnswersThatSession() {
        String ben = app.token("ben", "ben-group");
        byte[] two = randomBytes(25, 50);
        Reply older = http.patch(stream("by-id.bin", "chunk=1"), ben, randomBytes(10, 49));
        Reply progressed = http.patch(stream("by-id.bin", "chunk=2&id=" + older.text("id")), ben, two);
        http.patch(stream("by-id.bin", "chunk=1"), ben, randomBytes(10, 51));

        Reply info = http.get("/files/resumables/by-id.bin?id=" + older.text("id"), ben);

        assertThat(info.status()).isEqualTo(200);
        assertThat(info.json()).isEqualTo(progressed.json());
        assertIntegers(info.json(), "max_chunk", "chunk_size", "previous_offset", "next_offset");
        assertThat(info.json().get("previous_offset").asLong()).isEqualTo(10);
        assertThat(info.text("md5sum")).isEqualTo(TestFiles.md5(two));
    }

    @Test
    void getOfAFileWithNoOpenSessionAnswers404Json() {
        String cleo = app.token("cleo", "cleo-group");
        String id = http.patch(stream("gone.bin", "chunk=1"), cleo, randomBytes(10, 52)).text("id");
        end(cleo, "gone.bin", id, "");

        assertRefused(http.get("/files/resumables/never-started.bin", cleo), 404, "not_found", "never-started.bin");
        assertRefused(http.get("/files/resumables/gone.bin", cleo), 404, "not_found", "gone.bin");
    }

    @Test
    void deleteAbortsTheSessionAndRemovesItsBytes() {
        String dora = app.token("dora", "dora-group");
        String id = http.patch(stream("delete-me.bin", "chunk=1"), dora, randomBytes(100, 53)).text("id");
        http.patch(stream("delete-me.bin", "chunk=2&id=" + id), dora, randomBytes(100, 54));
        assertThat(app.storageFixture().bytesHeld(id)).isEqualTo(200);
        assertThat(partFiles(app)).isEmpty();

        Reply deleted = http.delete("/files/resumables/delete-me.bin?id=" + id, dora);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json()).isEqualTo(json("{\"message\":\"resumable deleted\"}"));
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.ABORTED);
        assertThat(row.receivedBytes()).isEqualTo(200);
        assertThat(app.storageFixture().holdsAnythingFor(id)).isFalse();
        assertRefused(http.get("/files/resumables/delete-me.bin", dora), 404, "not_found");
        assertThat(ids(http.get("/files/resumables", dora))).doesNotContain(id);
        assertRefused(http.patch(stream("delete-me.bin", "chunk=3&id=" + id), dora, randomBytes(10, 55)),
                409, "session_not_open", "ABORTED");
        assertRefused(http.delete("/files/resumables/delete-me.bin?id=" + id, dora), 409, "session_not_open");
        assertThat(app.storageFixture().holdsAnythingFor(id)).isFalse();
    }

    @Test
    void deleteWithoutFilenameDeletesById() {
        String eve = app.token("eve", "eve-group");
        String id = http.patch(stream("by-id-only.bin", "chunk=1"), eve, randomBytes(100, 56)).text("id");

        Reply deleted = http.delete("/files/resumables?id=" + id, eve);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.text("message")).isEqualTo("resumable deleted");
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.ABORTED);
        assertThat(app.storageFixture().holdsAnythingFor(id)).isFalse();
    }

    @Test
    void deleteOfACompletedSessionIsRefusedAndKeepsTheFile() throws Exception {
        String fay = app.token("fay", "fay-group");
        byte[] file = randomBytes(100, 57);
        String id = http.patch(stream("keep.bin", "chunk=1"), fay, file).text("id");
        end(fay, "keep.bin", id, "");
        Stored before = stored(app, id);

        assertRefused(http.delete("/files/resumables/keep.bin?id=" + id, fay), 409, "session_not_open", "COMPLETED");
        assertRefused(http.delete("/files/resumables?id=" + id, fay), 409, "session_not_open", "COMPLETED");

        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(Files.readAllBytes(app.storage().resolve("files/fay-group/keep.bin"))).isEqualTo(file);
    }

    // ---- request helpers ----

    private Reply end(String caller, String filename, String id, String moreQuery) {
        return http.patch(stream(filename, "chunk=end&id=" + id + moreQuery), caller, new byte[0]);
    }

    private static List<String> ids(Reply list) {
        return list.json().get("resumables").findValuesAsText("id");
    }

    // ---- shared by the resumables tests of this package ----

    /** {@code /files/stream/{filename}?{query}}, the filename percent-encoded as one path segment. */
    static String stream(String filename, String query) {
        return "/files/stream/" + segment(filename) + "?" + query;
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A body sent with {@code Transfer-Encoding: chunked}: no Content-Length is known up front. */
    static BodyPublisher chunkedBody(byte[] bytes) {
        return BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    }

    /** A refusal as SPEC §8 wants it: the status, and JSON {code, message, error}. */
    static void assertRefused(Reply reply, int status, String error, String... messageContains) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json()).as("JSON body, got: '%s'", reply.body()).isNotNull();
        assertThat(reply.json().get("code").asInt()).isEqualTo(status);
        assertThat(reply.text("error")).isEqualTo(error);
        assertThat(reply.text("message")).isNotBlank();
        for (String part : messageContains) {
            assertThat(reply.text("message")).contains(part);
        }
    }

    static void assertIntegers(JsonNode info, String... fields) {
        for (String field : fields) {
            assertThat(info.get(field)).as(field).isNotNull();
            assertThat(info.get(field).isIntegralNumber()).as("%s is a JSON integer: %s", field, info).isTrue();
        }
    }

    /** Everything a refused request must leave as it was: the session row, its chunk rows and stored bytes. */
    record Stored(Optional<UploadSession> session, List<Chunk> chunks, Map<String, String> files) {}

    static Stored stored(TestApp app, String id) {
        return new Stored(app.session(id), app.chunks(id), app.storageFixture().contentsOf(id));
    }

    /** Name → sha256 of every file directly in {@code dir}; empty when it does not exist. */
    static Map<String, String> filesIn(Path dir) {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                files.put(p.getFileName().toString(), TestFiles.sha256(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Sessions holding bytes of chunks being received, or left by refused ones, anywhere in the storage. */
    static List<String> partFiles(TestApp app) {
        return app.sessionsWithUnrecordedBytes();
    }

    static int sessionCount(TestApp app, String owner) {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM upload_session WHERE owner = :owner")
                .bind("owner", owner)
                .mapTo(Integer.class)
                .one());
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}

package io.uploads.protocols.tus;

import static io.uploads.protocols.tus.TusTesting.OFFSET_OCTET_STREAM;
import static io.uploads.protocols.tus.TusTesting.header;
import static io.uploads.protocols.tus.TusTesting.headers;
import static io.uploads.protocols.tus.TusTesting.metadataPair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Await;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §4.3 and §8 over raw HTTP: every status and header rule of tus 1.0.0 and the extensions
 * the service announces, the rows left behind, and the bytes on disk.
 *
 * <p>The service is shared by the whole class, so every test uses a principal of its own.
 */
abstract class TusProtocolTest extends AppTestBase {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private long maxUploadSize;

    @BeforeAll
    void readLimits() {
        maxUploadSize = app.config().uploads().maxUploadSize().toBytes();
    }

    // ---- OPTIONS, creation, HEAD ----

    @Test
    void optionsDescribesTheServerWithoutATokenOrVersion() {
        Reply options = http.send("OPTIONS", TusTesting.CREATION_PATH, null, BodyPublishers.noBody(), Map.of());

        assertStatus(options, 204);
        assertThat(header(options, "Tus-Version")).isEqualTo("1.0.0");
        assertThat(header(options, "Tus-Extension")).isNotNull();
        assertThat(header(options, "Tus-Extension").split(",")).containsExactlyInAnyOrder("creation",
                "creation-with-upload", "creation-defer-length", "termination", "checksum", "expiration");
        assertThat(header(options, "Tus-Max-Size")).isEqualTo(Long.toString(maxUploadSize));
        assertThat(header(options, "Tus-Checksum-Algorithm")).isNotNull();
        assertThat(header(options, "Tus-Checksum-Algorithm").split(",")).containsExactlyInAnyOrder("md5", "sha1", "sha256");
    }

    @Test
    void creationAnswers201WithAnAbsoluteLocationTheOffsetAndTheExpiry() {
        Uploader carol = uploader("creator");
        String metadata = metadataPair("filename", "created.bin") + "," + metadataPair("group", carol.otherGroup);

        Reply created = carol.post(headers("Upload-Length", "1000", "Upload-Metadata", metadata));

        assertStatus(created, 201);
        String location = header(created, "Location");
        assertThat(location).matches("http://localhost:\\d+/files/tus/" + UUID_PATTERN).startsWith(app.baseUrl());
        assertThat(header(created, "Upload-Offset")).isEqualTo("0");
        String id = TusTesting.idOf(location);
        UploadSession row = app.session(id).orElseThrow();
        assertThat(expiresHeader(created)).isEqualTo(row.expiresAt().truncatedTo(ChronoUnit.SECONDS)).isAfter(Instant.now());
        assertThat(row.protocol()).isEqualTo(Protocol.TUS);
        assertThat(row.state()).isEqualTo(SessionState.OPEN);
        assertThat(row.owner()).isEqualTo("creator");
        assertThat(row.groupName()).isEqualTo(carol.otherGroup);
        assertThat(row.filename()).isEqualTo("created.bin");
        assertThat(row.totalSize()).isEqualTo(1000);
        assertThat(row.receivedBytes()).isZero();
        assertThat(row.clientMetadata()).isEqualTo(metadata);
        assertThat(app.chunks(id)).isEmpty();
    }

    @Test
    void headReportsOffsetLengthMetadataAndForbidsCaching() {
        Uploader dora = uploader("header");
        String metadata = metadataPair("filename", "head.bin") + ",flag," + metadataPair("note", "ünïcode, spaces");
        String id = dora.created(dora.post(headers("Upload-Length", "1000", "Upload-Metadata", metadata)));
        assertStatus(dora.patch(id, 0, bytes(300, 1)), 204);

        Reply head = dora.head(id);

        assertStatus(head, 200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "Upload-Offset")).isEqualTo("300");
        assertThat(header(head, "Upload-Length")).isEqualTo("1000");
        assertThat(header(head, "Upload-Defer-Length")).isNull();
        assertThat(header(head, "Cache-Control")).isEqualTo("no-store");
        assertThat(header(head, "Upload-Metadata")).isEqualTo(metadata);
        assertThat(expiresHeader(head)).isEqualTo(app.session(id).orElseThrow().expiresAt().truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void patchAnswersTheNewOffsetAndEachBodyIsOneChunkAtItsOffset() throws Exception {
        Uploader erin = uploader("patcher");
        byte[] file = bytes(1000, 2);
        String id = erin.create(file.length, "patched.bin");

        Reply first = erin.patch(id, 0, slice(file, 0, 100));
        Reply second = erin.patch(id, 100, slice(file, 100, 350));

        assertStatus(first, 204);
        assertThat(header(first, "Upload-Offset")).isEqualTo("100");
        assertThat(expiresHeader(first)).isNotNull();
        assertStatus(second, 204);
        assertThat(header(second, "Upload-Offset")).isEqualTo("350");
        assertThat(app.session(id).orElseThrow().receivedBytes()).isEqualTo(350);
        assertThat(app.chunks(id)).extracting(Chunk::chunkOffset, Chunk::sizeBytes, Chunk::md5).containsExactly(
                tuple(0L, 100L, TestFiles.md5(slice(file, 0, 100))),
                tuple(100L, 250L, TestFiles.md5(slice(file, 100, 350))));

        Reply last = erin.patch(id, 350, slice(file, 350, 1000));

        assertStatus(last, 204);
        assertThat(header(last, "Upload-Offset")).isEqualTo("1000");
        assertThat(header(last, "Upload-Expires")).as("a completed upload does not expire").isNull();
        TusTesting.assertCompleted(app, id, "files/" + erin.group + "/patched.bin", file);
        assertThat(app.chunks(id)).extracting(Chunk::chunkOffset).containsExactly(0L, 100L, 350L);
        assertStatus(erin.head(id), 200);
        assertThat(header(erin.head(id), "Upload-Offset")).isEqualTo("1000");
    }

    @Test
    void uploadWithoutFilenameIsStoredUnderItsIdAndUppysNameKeyNamesTheFile() throws Exception {
        Uploader finn = uploader("naming");
        byte[] content = bytes(10, 3);
        String unnamed = finn.created(finn.post(headers("Upload-Length", "10")));
        String uppy = finn.created(finn.post(headers("Upload-Length", "10",
                "Upload-Metadata", metadataPair("name", "uppy.txt") + "," + metadataPair("filetype", "text/plain"))));

        assertStatus(finn.patch(unnamed, 0, content), 204);
        assertStatus(finn.patch(uppy, 0, content), 204);

        TusTesting.assertCompleted(app, unnamed, "files/" + finn.group + "/" + unnamed, content);
        TusTesting.assertCompleted(app, uppy, "files/" + finn.group + "/uppy.txt", content);
    }

    @Test
    void zeroLengthUploadCompletesAtCreation() throws Exception {
        Uploader gil = uploader("empty");

        Reply created = gil.post(headers("Upload-Length", "0", "Upload-Metadata", metadataPair("filename", "empty.bin")));

        assertStatus(created, 201);
        assertThat(header(created, "Upload-Offset")).isEqualTo("0");
        assertThat(header(created, "Upload-Expires")).isNull();
        String id = TusTesting.idOf(header(created, "Location"));
        TusTesting.assertCompleted(app, id, "files/" + gil.group + "/empty.bin", new byte[0]);
        Reply head = gil.head(id);
        assertStatus(head, 200);
        assertThat(header(head, "Upload-Offset")).isEqualTo("0");
        assertThat(header(head, "Upload-Length")).isEqualTo("0");
        assertThat(header(head, "Upload-Expires")).isNull();
    }

    // ---- creation-with-upload and creation-defer-length ----

    @Test
    void creationWithUploadStoresTheFirstBytes() throws Exception {
        Uploader hal = uploader("with-upload");
        byte[] file = bytes(1000, 4);

        Reply created = hal.post(headers("Upload-Length", "1000", "Upload-Metadata", metadataPair("filename", "first.bin"),
                "Content-Type", OFFSET_OCTET_STREAM), slice(file, 0, 400));

        assertStatus(created, 201);
        assertThat(header(created, "Upload-Offset")).isEqualTo("400");
        String id = TusTesting.idOf(header(created, "Location"));
        assertThat(header(hal.head(id), "Upload-Offset")).isEqualTo("400");
        assertThat(app.chunks(id)).extracting(Chunk::chunkOffset, Chunk::sizeBytes).containsExactly(tuple(0L, 400L));
        assertStatus(hal.patch(id, 400, slice(file, 400, 1000)), 204);
        TusTesting.assertCompleted(app, id, "files/" + hal.group + "/first.bin", file);
    }

    @Test
    void creationWithTheWholeUploadCompletesAtOnce() throws Exception {
        Uploader ida = uploader("whole-upload");
        byte[] file = bytes(700, 5);

        Reply created = ida.post(headers("Upload-Length", "700", "Upload-Metadata", metadataPair("filename", "whole.bin"),
                "Content-Type", OFFSET_OCTET_STREAM), file);

        assertStatus(created, 201);
        assertThat(header(created, "Upload-Offset")).isEqualTo("700");
        TusTesting.assertCompleted(app, TusTesting.idOf(header(created, "Location")), "files/" + ida.group + "/whole.bin", file);
    }

    @Test
    void creationWithABodyOfTheWrongTypeIsRefusedAndCreatesNothing() {
        Uploader jan = uploader("with-upload-type");

        Reply refused = jan.post(headers("Upload-Length", "100", "Content-Type", "application/octet-stream"), bytes(100, 6));

        assertRefused(refused, 415);
        assertThat(jan.sessionCount()).isZero();
    }

    @Test
    void creationWithFirstBytesThatFailTheirChecksumCreatesTheUploadWithoutThem() throws Exception {
        Uploader lea = uploader("with-upload-checksum");
        byte[] file = bytes(1000, 8);
        List<String> heldBefore = app.storageFixture().sessionsHeld();

        Reply refused = lea.post(headers("Upload-Length", "1000", "Upload-Metadata", metadataPair("filename", "sum.bin"),
                "Content-Type", OFFSET_OCTET_STREAM, "Upload-Checksum", "sha1 " + base64Digest("SHA-1", bytes(400, 9))),
                slice(file, 0, 400));

        assertRefused(refused, 460);
        String id = TusTesting.idOf(header(refused, "Location"));
        assertThat(header(lea.head(id), "Upload-Offset")).isEqualTo("0");
        assertThat(app.chunks(id)).isEmpty();
        assertThat(app.storageFixture().sessionsHeld()).as("the refused bytes are not kept").isEqualTo(heldBefore);
        assertStatus(lea.patch(id, 0, file), 204);
        TusTesting.assertCompleted(app, id, "files/" + lea.group + "/sum.bin", file);
    }

    @Test
    void deferredLengthIsDeclaredByALaterPatch() throws Exception {
        Uploader kim = uploader("deferred");
        byte[] file = bytes(800, 7);
        String id = kim.created(kim.post(headers("Upload-Defer-Length", "1",
                "Upload-Metadata", metadataPair("filename", "deferred.bin"))));
        Reply unknownLength = kim.head(id);
        assertThat(header(unknownLength, "Upload-Defer-Length")).isEqualTo("1");
        assertThat(header(unknownLength, "Upload-Length")).isNull();

        Reply first = kim.patch(id, 0, slice(file, 0, 500));
        assertStatus(first, 204);
        assertThat(header(first, "Upload-Offset")).isEqualTo("500");
        assertThat(app.session(id).orElseThrow().totalSize()).isNull();
        assertThat(header(kim.head(id), "Upload-Defer-Length")).isEqualTo("1");

        Reply last = kim.patch(id, 500, slice(file, 500, 800), "Upload-Length", "800");

        assertStatus(last, 204);
        assertThat(header(last, "Upload-Offset")).isEqualTo("800");
        TusTesting.assertCompleted(app, id, "files/" + kim.group + "/deferred.bin", file);
        Reply known = kim.head(id);
        assertThat(header(known, "Upload-Length")).isEqualTo("800");
        assertThat(header(known, "Upload-Defer-Length")).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "-    | -",        // neither
            "100  | 1",        // both
            "-    | 2",
            "-    | yes",
            "-1   | -",
            "ten  | -",
            "1.5  | -"})
    void creationNeedsExactlyOneValidLengthHeader(@Nullable String length, @Nullable String defer) {
        Uploader lee = uploader("length-" + Objects.hash(length, defer));
        Map<String, String> headers = headers();
        if (length != null) {
            headers.put("Upload-Length", length);
        }
        if (defer != null) {
            headers.put("Upload-Defer-Length", defer);
        }

        assertRefused(lee.post(headers), 400);
        assertThat(lee.sessionCount()).isZero();
    }

    // ---- Tus-Resumable and content type ----

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"0.2.2", "2.0.0", "1.0"})
    void everyRequestButOptionsNeedsTusResumable100(@Nullable String version) {
        Uploader max = uploader("version-" + version);
        String id = max.create(100, "version.bin");
        Map<String, String> versionHeader = version == null ? headers() : headers("Tus-Resumable", version);
        Map<String, String> patchHeaders = headers("Upload-Offset", "0", "Content-Type", OFFSET_OCTET_STREAM);
        patchHeaders.putAll(versionHeader);
        Map<String, String> postHeaders = headers("Upload-Length", "100");
        postHeaders.putAll(versionHeader);

        List<Reply> refused = List.of(
                max.raw("POST", TusTesting.CREATION_PATH, BodyPublishers.noBody(), postHeaders),
                max.raw("HEAD", max.path(id), BodyPublishers.noBody(), versionHeader),
                max.raw("PATCH", max.path(id), BodyPublishers.ofByteArray(bytes(100, 8)), patchHeaders),
                max.raw("DELETE", max.path(id), BodyPublishers.noBody(), versionHeader));

        for (Reply reply : refused) {
            assertStatus(reply, 412);
            assertThat(header(reply, "Tus-Version")).isEqualTo("1.0.0");
        }
        assertThat(max.sessionCount()).isOne();
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.OPEN);
        assertThat(row.receivedBytes()).isZero();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"application/octet-stream", "text/plain", "application/offset+json"})
    void patchNeedsOffsetOctetStream(@Nullable String contentType) {
        Uploader ned = uploader("type-" + contentType);
        String id = ned.create(100, "typed.bin");
        Map<String, String> headers = headers("Tus-Resumable", "1.0.0", "Upload-Offset", "0");
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }

        assertRefused(ned.raw("PATCH", ned.path(id), BodyPublishers.ofByteArray(bytes(100, 9)), headers), 415);
        assertUntouched(id);
    }

    @Test
    void withoutATokenTheAnswerIs401AndStillATusAnswer() {
        Reply refused = http.send("POST", TusTesting.CREATION_PATH, null, BodyPublishers.noBody(),
                headers("Tus-Resumable", "1.0.0", "Upload-Length", "10"));

        assertRefused(refused, 401);
    }

    /** Refused by the container before any resource saw it (a malformed Content-Type), still a tus answer. */
    @Test
    void aRequestTheContainerRefusesIsStillATusAnswer() {
        String answer = http.raw("PATCH " + TusTesting.CREATION_PATH + "/" + java.util.UUID.randomUUID()
                + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                + "Content-Type: ???\r\nContent-Length: 0\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("Tus-Resumable: 1.0.0").contains("application/json")
                .doesNotContain("filename");
    }

    // ---- offsets, sizes, unknown and expired uploads ----

    @Test
    void offsetMismatchIs409AndChangesNothing() {
        Uploader olga = uploader("offsets");
        String id = olga.create(1000, "offsets.bin");
        assertStatus(olga.patch(id, 0, bytes(200, 10)), 204);
        List<Chunk> before = app.chunks(id);

        assertRefused(olga.patch(id, 0, bytes(200, 11)), 409);
        assertRefused(olga.patch(id, 100, bytes(200, 12)), 409);
        assertRefused(olga.patch(id, 500, bytes(200, 13)), 409);

        assertThat(header(olga.head(id), "Upload-Offset")).isEqualTo("200");
        assertThat(app.chunks(id)).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-5", "abc"})
    void patchWithoutAValidOffsetIs400(String offset) {
        Uploader pia = uploader("bad-offset-" + offset);
        String id = pia.create(100, "bad-offset.bin");
        Map<String, String> headers = headers("Content-Type", OFFSET_OCTET_STREAM);
        if (!offset.isEmpty()) {
            headers.put("Upload-Offset", offset);
        }

        assertRefused(pia.send("PATCH", pia.path(id), BodyPublishers.ofByteArray(bytes(100, 14)), headers), 400);
        assertUntouched(id);
    }

    @Test
    void creationLongerThanTheMaximumIs413() {
        Uploader quinn = uploader("too-long");

        assertRefused(quinn.post(headers("Upload-Length", Long.toString(maxUploadSize + 1))), 413);
        assertThat(quinn.sessionCount()).isZero();
        assertStatus(quinn.post(headers("Upload-Length", Long.toString(maxUploadSize))), 201);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bodyLongerThanTheRemainingLengthIs413(boolean chunked) {
        Uploader rae = uploader("overflow-" + chunked);
        String id = rae.create(1000, "overflow.bin");
        assertStatus(rae.patch(id, 0, bytes(900, 15)), 204);
        List<Chunk> before = app.chunks(id);
        byte[] tooMuch = bytes(101, 16);
        BodyPublisher body = chunked
                ? BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooMuch))
                : BodyPublishers.ofByteArray(tooMuch);

        assertRefused(rae.send("PATCH", rae.path(id), body,
                headers("Upload-Offset", "900", "Content-Type", OFFSET_OCTET_STREAM)), 413);

        assertThat(header(rae.head(id), "Upload-Offset")).isEqualTo("900");
        assertThat(app.chunks(id)).isEqualTo(before);
        assertThat(TusTesting.partFiles(app, id)).isEmpty();
    }

    @Test
    void deferredLengthBeyondTheMaximumIs413() {
        Uploader sal = uploader("deferred-too-long");
        String id = sal.created(sal.post(headers("Upload-Defer-Length", "1")));

        assertRefused(sal.patch(id, 0, bytes(10, 17), "Upload-Length", Long.toString(maxUploadSize + 1)), 413);

        assertUntouched(id);
        assertThat(app.session(id).orElseThrow().totalSize()).isNull();
    }

    @Test
    void unknownMalformedForeignOrNonTusIdsAre404() {
        Uploader owner = uploader("id-owner");
        Uploader stranger = uploader("id-stranger");
        String id = owner.create(100, "mine.bin");
        String resumables = http.patch("/files/stream/native.bin?chunk=1", owner.token, bytes(10, 18)).text("id");
        assertThat(resumables).matches(UUID_PATTERN);

        assertNotFound(owner, UUID.randomUUID().toString());
        assertNotFound(owner, "not-an-upload");
        assertNotFound(owner, id.toUpperCase(Locale.ROOT));
        assertNotFound(owner, resumables);
        assertNotFound(stranger, id);

        assertStatus(owner.head(id), 200);
        assertUntouched(id);
    }

    @Test
    void expiredUploadIs410BeforeAndAfterTheExpiryRun() throws Exception {
        Uploader tom = uploader("expiring");
        String id = tom.create(1000, "expiring.bin");
        assertStatus(tom.patch(id, 0, bytes(100, 19)), 204);
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET expires_at = :past WHERE id = :id")
                .bind("past", Instant.now().minus(1, ChronoUnit.HOURS)).bind("id", id).execute());

        assertStatus(tom.head(id), 410);
        assertRefused(tom.patch(id, 100, bytes(100, 20)), 410);

        Reply task = new Http(app.adminUrl()).send("POST", "/tasks/expire", null, BodyPublishers.noBody(), Map.of());
        assertThat(task.status()).as(task.body()).isEqualTo(200);
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
        assertThat(app.storageFixture().holdsAnythingFor(id)).isFalse();

        assertStatus(tom.head(id), 410);
        assertRefused(tom.patch(id, 100, bytes(100, 21)), 410);
        assertThat(app.session(id).orElseThrow().receivedBytes()).isEqualTo(100);
    }

    // ---- checksum ----

    @ParameterizedTest
    @CsvSource({"md5, MD5", "sha1, SHA-1", "sha256, SHA-256"})
    void correctChecksumIsAccepted(String algorithm, String jcaName) throws Exception {
        Uploader uma = uploader("checksum-ok-" + algorithm);
        byte[] file = bytes(1000, 22);
        String id = uma.create(file.length, "checksum.bin");

        Reply accepted = uma.patch(id, 0, slice(file, 0, 600), "Upload-Checksum",
                algorithm + " " + base64Digest(jcaName, slice(file, 0, 600)));

        assertStatus(accepted, 204);
        assertThat(header(accepted, "Upload-Offset")).isEqualTo("600");
        assertStatus(uma.patch(id, 600, slice(file, 600, 1000), "Upload-Checksum",
                algorithm + " " + base64Digest(jcaName, slice(file, 600, 1000))), 204);
        TusTesting.assertCompleted(app, id, "files/" + uma.group + "/checksum.bin", file);
    }

    @ParameterizedTest
    @CsvSource({"md5, MD5", "sha1, SHA-1", "sha256, SHA-256"})
    void checksumMismatchIs460AndDiscardsTheBytes(String algorithm, String jcaName) throws Exception {
        Uploader vic = uploader("checksum-bad-" + algorithm);
        String id = vic.create(1000, "mismatch.bin");
        assertStatus(vic.patch(id, 0, bytes(100, 23)), 204);
        List<Chunk> before = app.chunks(id);

        Reply refused = vic.patch(id, 100, bytes(300, 24), "Upload-Checksum",
                algorithm + " " + base64Digest(jcaName, bytes(300, 25)));

        assertRefused(refused, 460);
        assertThat(header(vic.head(id), "Upload-Offset")).isEqualTo("100");
        assertThat(app.chunks(id)).isEqualTo(before);
        assertThat(TusTesting.partFiles(app, id)).isEmpty();
        assertThat(app.storageFixture().contentsOf(id)).as("what the store holds for " + id).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crc32 AAAAAA==", "SHA256 AAAAAA==", "sha256", "sha256 not*base64", "md5 AAAA= extra"})
    void unknownOrMalformedChecksumIs400(String checksum) {
        Uploader wes = uploader("checksum-unknown-" + Objects.hash(checksum));
        String id = wes.create(100, "unknown-checksum.bin");

        assertRefused(wes.patch(id, 0, bytes(100, 26), "Upload-Checksum", checksum), 400);
        assertUntouched(id);
    }

    // ---- metadata and groups ----

    @ParameterizedTest
    @ValueSource(strings = {
            "filename !!!not-base64!!!",
            "filename eA== eA==",
            ",filename eA==",
            "filename eA==,filename eQ==",
            "file\tname eA=="})
    void malformedMetadataIs400(String metadata) {
        assertCreationRefused(metadata, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "..", ".", "a/b", "a\\b", "nul\u0000byte", "line\nbreak"})
    void invalidFilenameIs400(String filename) {
        assertCreationRefused(metadataPair("filename", filename), 400);
    }

    @Test
    void filenameThatIsNotUtf8Is400() {
        assertCreationRefused("filename " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe}), 400);
    }

    @Test
    void groupThePrincipalIsNotInIs403() {
        assertCreationRefused(metadataPair("filename", "x.bin") + "," + metadataPair("group", "someone-elses"), 403);
    }

    // ---- termination and method override ----

    @Test
    void terminationDeletesTheBytesAndTheUploadIsGoneAfterwards() {
        Uploader xia = uploader("terminator");
        String id = xia.create(1000, "terminated.bin");
        assertStatus(xia.patch(id, 0, bytes(300, 27)), 204);
        assertThat(app.storageFixture().contentsOf(id)).isNotEmpty();

        Reply deleted = xia.delete(id);

        assertStatus(deleted, 204);
        assertThat(app.storageFixture().holdsAnythingFor(id)).isFalse();
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.ABORTED);
        assertStatus(xia.head(id), 404);
        assertRefused(xia.patch(id, 300, bytes(100, 28)), 404);
        assertRefused(xia.delete(id), 404);
    }

    @Test
    void postWithMethodOverridePatchIsAPatch() throws Exception {
        Uploader yan = uploader("override");
        byte[] file = bytes(500, 29);
        String id = yan.create(file.length, "override.bin");
        Map<String, String> patch = headers("X-HTTP-Method-Override", "PATCH", "Content-Type", OFFSET_OCTET_STREAM);

        patch.put("Upload-Offset", "0");
        Reply first = yan.send("POST", yan.path(id), BodyPublishers.ofByteArray(slice(file, 0, 200)), patch);
        patch.put("Upload-Offset", "200");
        Reply last = yan.send("POST", yan.path(id), BodyPublishers.ofByteArray(slice(file, 200, 500)), patch);

        assertStatus(first, 204);
        assertThat(header(first, "Upload-Offset")).isEqualTo("200");
        assertStatus(last, 204);
        assertThat(header(last, "Upload-Offset")).isEqualTo("500");
        TusTesting.assertCompleted(app, id, "files/" + yan.group + "/override.bin", file);
    }

    // ---- interrupted and concurrent PATCHes ----

    @Test
    void interruptedPatchKeepsTheBytesThatArrivedAndTheUploadResumes() throws Exception {
        Uploader zoe = uploader("interrupted");
        byte[] file = bytes(100_000, 30);
        int arrived = 30_000;
        String id = zoe.create(file.length, "interrupted.bin");

        TusTesting.sendAndDisconnect(app, "PATCH", zoe.path(id), zoe.rawPatchHeaders(0), file.length,
                slice(file, 0, arrived), () -> !TusTesting.partFiles(app, id).isEmpty());
        Await.until("the offset to advance", () -> app.session(id).orElseThrow().receivedBytes() > 0);

        Reply head = zoe.head(id);
        assertStatus(head, 200);
        assertThat(header(head, "Upload-Offset")).isEqualTo(Integer.toString(arrived));
        assertThat(app.chunks(id)).extracting(Chunk::chunkOffset, Chunk::sizeBytes).containsExactly(tuple(0L, 30_000L));
        assertStatus(zoe.patch(id, arrived, slice(file, arrived, file.length)), 204);
        TusTesting.assertCompleted(app, id, "files/" + zoe.group + "/interrupted.bin", file);
    }

    @Test
    void interruptedPatchWithAChecksumKeepsNothing() throws Exception {
        Uploader amy = uploader("interrupted-checksum");
        byte[] file = bytes(100_000, 31);
        String id = amy.create(file.length, "interrupted-checksum.bin");
        Map<String, String> headers = amy.rawPatchHeaders(0);
        headers.put("Upload-Checksum", "sha256 " + base64Digest("SHA-256", file));

        TusTesting.sendAndDisconnect(app, "PATCH", amy.path(id), headers, file.length, slice(file, 0, 30_000),
                () -> !TusTesting.partFiles(app, id).isEmpty());
        Await.until("the partial body to be discarded", () -> TusTesting.partFiles(app, id).isEmpty());

        assertThat(header(amy.head(id), "Upload-Offset")).isEqualTo("0");
        assertStatus(amy.patch(id, 0, file), 204);
        TusTesting.assertCompleted(app, id, "files/" + amy.group + "/interrupted-checksum.bin", file);
    }

    /**
     * A creation whose body breaks off: its answer, the upload's address, cannot reach the client,
     * so no session is kept to count against its owner's open uploads until it expires.
     */
    @ParameterizedTest(name = "with a checksum: {0}")
    @ValueSource(booleans = {false, true})
    void aCreationWhoseBodyBreaksOffKeepsNoSession(boolean withChecksum) throws Exception {
        Uploader ida = uploader("creation-broken-" + withChecksum);
        byte[] file = bytes(100_000, 32);
        Map<String, String> headers = ida.rawPatchHeaders(0);
        headers.remove("Upload-Offset");
        headers.put("Upload-Length", Integer.toString(file.length));
        headers.put("Upload-Metadata", metadataPair("filename", "broken.bin"));
        if (withChecksum) {
            headers.put("Upload-Checksum", "sha256 " + base64Digest("SHA-256", file));
        }
        List<String> heldBefore = app.storageFixture().sessionsHeld();

        TusTesting.sendAndDisconnect(app, "POST", TusTesting.CREATION_PATH, headers, file.length,
                slice(file, 0, 30_000), () -> !app.storageFixture().sessionsHeld().equals(heldBefore));
        Await.until("the broken body's bytes to be discarded", () -> app.storageFixture().sessionsHeld().equals(heldBefore));

        assertThat(ida.sessionCount()).isZero();
        String id = ida.create(file.length, "broken.bin");
        assertStatus(ida.patch(id, 0, file), 204);
        TusTesting.assertCompleted(app, id, "files/" + ida.group + "/broken.bin", file);
    }

    @Test
    void concurrentPatchesAtOneOffsetNeverBothSucceedNorCorruptTheFile() throws Exception {
        Uploader bea = uploader("racer");
        int half = 256 * 1024;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 12; round++) {
                byte[][] contenders = {bytes(half, 1000 + 2 * round), bytes(half, 1001 + 2 * round)};
                byte[] rest = bytes(half, 5000 + round);
                String filename = "race-" + round + ".bin";
                String id = bea.create(2L * half, filename);

                int[] statuses = race(pool, bea, id, contenders);

                int winner = statuses[0] == 204 ? 0 : 1;
                assertThat(statuses).as("round %d", round).containsOnlyOnce(204);
                assertThat(statuses[1 - winner]).as("round %d, the loser", round).isIn(409, 423);
                assertThat(header(bea.head(id), "Upload-Offset")).isEqualTo(Integer.toString(half));
                assertStatus(bea.patch(id, half, rest), 204);
                TusTesting.assertCompleted(app, id, "files/" + bea.group + "/" + filename,
                        concat(contenders[winner], rest));
                assertThat(app.chunks(id)).hasSize(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Both bodies PATCHed at offset 0 at once; their statuses. */
    private static int[] race(ExecutorService pool, Uploader uploader, String id, byte[][] bodies) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        for (byte[] body : bodies) {
            replies.add(pool.submit(() -> {
                start.await();
                return uploader.patch(id, 0, body);
            }));
        }
        start.countDown();
        int[] statuses = new int[bodies.length];
        for (int i = 0; i < statuses.length; i++) {
            Reply reply = replies.get(i).get();
            assertThat(header(reply, "Tus-Resumable")).isEqualTo("1.0.0");
            statuses[i] = reply.status();
        }
        return statuses;
    }

    // ---- assertions ----

    /** The status, and {@code Tus-Resumable: 1.0.0}, which every tus answer carries. */
    private static void assertStatus(Reply reply, int status) {
        assertThat(reply.status()).as("status; body: %s", reply.body()).isEqualTo(status);
        assertThat(header(reply, "Tus-Resumable")).as("Tus-Resumable of a %d answer", status).isEqualTo("1.0.0");
    }

    /** A tus refusal: its status, {@code Tus-Resumable}, and SPEC §8's JSON {code, message}. */
    private static void assertRefused(Reply reply, int status) {
        assertStatus(reply, status);
        assertThat(reply.json()).as("JSON body, got: '%s'", reply.body()).isNotNull();
        assertThat(reply.json().get("code").asInt()).isEqualTo(status);
        assertThat(reply.text("message")).isNotBlank();
    }

    private void assertNotFound(Uploader uploader, String id) {
        assertStatus(uploader.head(id), 404);
        assertRefused(uploader.patch(id, 0, bytes(10, 32)), 404);
        assertRefused(uploader.delete(id), 404);
    }

    /** A refused request left the upload as created: no bytes, no chunks, nothing being received. */
    private void assertUntouched(String id) {
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.OPEN);
        assertThat(row.receivedBytes()).isZero();
        assertThat(app.chunks(id)).isEmpty();
        assertThat(TusTesting.partFiles(app, id)).isEmpty();
    }

    private void assertCreationRefused(String metadata, int status) {
        Uploader refused = uploader("metadata-" + Objects.hash(metadata, status));

        assertRefused(refused.post(headers("Upload-Length", "10", "Upload-Metadata", metadata)), status);
        assertThat(refused.sessionCount()).isZero();
    }

    // ---- requests ----

    /** A principal with a token of its own and two groups; sends tus requests. */
    private Uploader uploader(String name) {
        String principal = name.replaceAll("[^A-Za-z0-9-]", "_");
        String group = principal + "-group";
        String otherGroup = principal + "-other";
        return new Uploader(app.token(principal, group, otherGroup), principal, group, otherGroup);
    }

    private final class Uploader {
        final String token;
        final String principal;
        final String group;
        final String otherGroup;

        Uploader(String token, String principal, String group, String otherGroup) {
            this.token = token;
            this.principal = principal;
            this.group = group;
            this.otherGroup = otherGroup;
        }

        String path(String id) {
            return TusTesting.CREATION_PATH + "/" + id;
        }

        Reply post(Map<String, String> headers) {
            return send("POST", TusTesting.CREATION_PATH, BodyPublishers.noBody(), headers);
        }

        Reply post(Map<String, String> headers, byte[] body) {
            return send("POST", TusTesting.CREATION_PATH, BodyPublishers.ofByteArray(body), headers);
        }

        /** Creates an upload of {@code length} bytes named {@code filename}; its id. */
        String create(long length, String filename) {
            return created(post(headers("Upload-Length", Long.toString(length),
                    "Upload-Metadata", metadataPair("filename", filename))));
        }

        /** The id of the upload a POST created. */
        String created(Reply reply) {
            assertStatus(reply, 201);
            return TusTesting.idOf(header(reply, "Location"));
        }

        Reply head(String id) {
            return send("HEAD", path(id), BodyPublishers.noBody(), headers());
        }

        /** Every header of a PATCH at {@code offset}, the token included: for a raw socket. */
        Map<String, String> rawPatchHeaders(long offset) {
            return headers("Tus-Resumable", "1.0.0", "Authorization", "Bearer " + token,
                    "Upload-Offset", Long.toString(offset), "Content-Type", OFFSET_OCTET_STREAM);
        }

        Reply patch(String id, long offset, byte[] body, String... moreHeaders) {
            Map<String, String> headers = headers(moreHeaders);
            headers.put("Upload-Offset", Long.toString(offset));
            headers.put("Content-Type", OFFSET_OCTET_STREAM);
            return send("PATCH", path(id), BodyPublishers.ofByteArray(body), headers);
        }

        Reply delete(String id) {
            return send("DELETE", path(id), BodyPublishers.noBody(), headers());
        }

        /** A request with {@code Tus-Resumable: 1.0.0} and the token. */
        Reply send(String method, String path, BodyPublisher body, Map<String, String> headers) {
            Map<String, String> all = headers("Tus-Resumable", "1.0.0");
            all.putAll(headers);
            return raw(method, path, body, all);
        }

        /** A request with the token and exactly {@code headers}. */
        Reply raw(String method, String path, BodyPublisher body, Map<String, String> headers) {
            return http.send(method, path, token, body, headers);
        }

        int sessionCount() {
            return app.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM upload_session WHERE owner = :owner")
                    .bind("owner", principal)
                    .mapTo(Integer.class)
                    .one());
        }
    }

    // ---- bytes ----

    private static Instant expiresHeader(Reply reply) {
        String expires = header(reply, "Upload-Expires");
        assertThat(expires).as("Upload-Expires").isNotNull();
        return ZonedDateTime.parse(expires, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }

    private static String base64Digest(String jcaName, byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance(jcaName).digest(bytes));
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}

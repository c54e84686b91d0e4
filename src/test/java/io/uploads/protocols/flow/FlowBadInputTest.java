package io.uploads.protocols.flow;

import static io.uploads.protocols.flow.FlowAssertions.assertRefused;
import static io.uploads.testing.TestFiles.randomBytes;
import static io.uploads.protocols.flow.FlowAssertions.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.protocols.flow.FlowAssertions.Stored;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FilePart;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.FlowStyleClient.Method;
import io.uploads.testing.Http.Reply;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §4.2 and §8 for flow.js / resumable.js: every bad chunk answers JSON {@code {code, message,
 * error}} with the status the libraries expect, and changes nothing: no session row appears, an
 * existing session keeps its rows, and no file or directory appears or changes in the storage.
 *
 * <p>Each case runs as its own principal, so its rows are its own.
 */
abstract class FlowBadInputTest extends AppTestBase {

    private static final int CHUNK = 16 * 1024;
    private static final int MAX_CHUNK = 128 * 1024;
    private static final int MAX_UPLOAD = 1024 * 1024;
    private static final AtomicInteger PRINCIPALS = new AtomicInteger();

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {
                ConfigOverride.config("uploads.maxChunkSize", "128KiB"),
                ConfigOverride.config("uploads.maxUploadSize", "1MiB")};
    }

    // ---- the first chunk of a new identifier: no session may appear ----

    static Stream<Arguments> badParameters() {
        return bothMethods(
                arguments("no identifier", remove("flowIdentifier"), "flowIdentifier"),
                arguments("empty identifier", set("flowIdentifier", ""), "flowIdentifier"),
                arguments("no filename", remove("flowFilename"), "flowFilename"),
                arguments("no total chunks", remove("flowTotalChunks"), "flowTotalChunks"),
                arguments("chunk number abc", set("flowChunkNumber", "abc"), "flowChunkNumber"),
                arguments("chunk number 1.5", set("flowChunkNumber", "1.5"), "flowChunkNumber"),
                arguments("chunk number 0", set("flowChunkNumber", "0"), "chunk number 0"),
                arguments("chunk number -1", set("flowChunkNumber", "-1"), "flowChunkNumber"),
                arguments("chunk number past the last", set("flowChunkNumber", "5"), "chunk number 5"),
                arguments("chunk number 2^31", set("flowChunkNumber", "2147483648"), "flowChunkNumber"),
                arguments("chunk size 0", set("flowChunkSize", "0"), "chunk size"),
                arguments("total chunks that do not fit the sizes", set("flowTotalChunks", "3"), "chunks do not make"),
                arguments("current size wrong for its number", set("flowCurrentChunkSize", String.valueOf(CHUNK - 1)),
                        "must have " + CHUNK + " bytes"),
                arguments("both libraries' identifiers", set("resumableIdentifier", "x"), "not both"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badParameters")
    void badParametersOfANewUploadAreRefusedAndCreateNothing(Method method, String what,
                                                            UnaryOperator<Map<String, String>> change, String message) {
        FlowStyleClient client = newClient().with(method);
        FlowFile file = file("params.bin", 1);

        assertRefusedChangingNothing(() -> client.post(change.apply(client.params(file, 1)), file.chunk(1),
                file.filename()), 400, "invalid_request", message);
    }

    @Test
    void testGetWithBadParametersAnswers400Json() {
        FlowStyleClient client = newClient();
        FlowFile file = file("tested.bin", 16);

        assertRefused(client.get(set("flowChunkNumber", "0").apply(client.params(file, 1))), 400, "invalid_request",
                "chunk number 0");
        assertRefused(client.get(remove("flowIdentifier").apply(client.params(file, 1))), 400, "invalid_request",
                "flowIdentifier");
    }

    static Stream<Arguments> badFilenames() {
        return bothMethods(Stream.of("../x", "a/b", "..", ".", "a\\b", "../../etc/passwd", "tab\there")
                .map(Arguments::arguments).toArray(Arguments[]::new));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badFilenames")
    void filenameThatIsNotOneSafePathSegmentIsRefused(Method method, String filename) {
        FlowStyleClient client = newClient().with(method);
        FlowFile file = new FlowFile(filename, "traversal", randomBytes(3 * CHUNK, 2), CHUNK, false);

        assertRefusedChangingNothing(() -> client.send(file, 1), 400, "invalid_request", "filename");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void bodyShorterThanTheCurrentChunkSizeIsRefused(Method method) {
        FlowStyleClient client = newClient().with(method);
        FlowFile file = file("short.bin", 3);

        assertRefusedChangingNothing(() -> client.post(client.params(file, 1), prefix(file.chunk(1), CHUNK - 10),
                file.filename()), 400, "incomplete_body", String.valueOf(CHUNK));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    void bodyLongerThanTheCurrentChunkSizeIsRefused(Method method) {
        FlowStyleClient client = newClient().with(method);
        FlowFile file = file("long.bin", 4);

        assertRefusedChangingNothing(() -> client.post(client.params(file, 1), randomBytes(CHUNK + 10, 4),
                file.filename()), 400, "invalid_request", String.valueOf(CHUNK));
    }

    @Test
    void aParameterWhoseQueryAndFormValuesDifferIsRefused() {
        FlowStyleClient client = newClient().with(Library.RESUMABLE_JS);
        FlowFile file = file("twice.bin", 17);
        Map<String, String> params = client.params(file, 1);
        Map<String, String> query = set("resumableChunkNumber", "2").apply(params);

        assertRefusedChangingNothing(() -> client.postForm("/flow?" + FlowStyleClient.queryString(query), params,
                new FilePart(file.filename(), file.chunk(1))), 400, "invalid_request", "resumableChunkNumber");
    }

    @Test
    void groupThatIsNotTheCallersIsForbidden() {
        FlowStyleClient client = newClient().withQuery("group", "someone-elses-group");

        assertRefusedChangingNothing(() -> client.send(file("group.bin", 5), 1), 403, "forbidden_group",
                "someone-elses-group");
        assertRefused(client.test(file("group.bin", 5), 1), 403, "forbidden_group", "someone-elses-group");
    }

    @Test
    void requestWithoutTokenIsUnauthorized() {
        FlowStyleClient anonymous = new FlowStyleClient(app.baseUrl(), null);
        FlowFile file = file("anonymous.bin", 6);

        assertRefusedChangingNothing(() -> anonymous.send(file, 1), 401, null);
        assertRefused(anonymous.test(file, 1), 401, null);
    }

    @Test
    void totalOverTheUploadLimitIsTooLarge() {
        FlowStyleClient client = newClient();
        FlowFile file = FlowFile.of("huge.bin", randomBytes(MAX_UPLOAD + CHUNK, 7), CHUNK);

        assertRefusedChangingNothing(() -> client.send(file, 1), 413, "too_large", String.valueOf(MAX_UPLOAD));
    }

    @Test
    void chunkOverTheChunkLimitIsTooLarge() {
        FlowStyleClient client = newClient();
        FlowFile file = FlowFile.of("big-chunks.bin", randomBytes(2 * MAX_CHUNK + 2, 8), MAX_CHUNK + 1);

        assertRefusedChangingNothing(() -> client.send(file, 1), 413, "too_large", String.valueOf(MAX_CHUNK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongContentTypes")
    void chunkOfAFormTypeOtherThanMultipartFormDataIsUnsupported(String contentType) {
        FlowStyleClient client = newClient();
        FlowFile file = file("type.bin", 9);

        assertRefusedChangingNothing(() -> client.postRaw(client.params(file, 1), file.chunk(1), contentType),
                415, "unsupported_media_type");
    }

    static Stream<String> wrongContentTypes() {
        return Stream.of("application/x-www-form-urlencoded", "multipart/mixed; boundary=x", "multipart/related; boundary=x");
    }

    @Test
    void formWithoutAFilePartIsRefused() {
        FlowStyleClient client = newClient();
        FlowFile file = file("no-file.bin", 10);

        assertRefusedChangingNothing(() -> client.postMultipart(client.params(file, 1), null), 400, "invalid_request",
                "'file'");
    }

    // ---- a later chunk of a session: the session must stay as it was ----

    static Stream<Arguments> otherUploadsUnderTheSameIdentifier() {
        return Stream.of(
                arguments("a larger total size", (UnaryOperator<FlowFile>) f ->
                        same(f, FlowFile.of(f.filename(), randomBytes(f.bytes().length + CHUNK, 12), CHUNK)), 3,
                        "invalid_request", "was started with"),
                arguments("a smaller total size, same chunk count", (UnaryOperator<FlowFile>) f ->
                        same(f, FlowFile.of(f.filename(), prefix(f.bytes(), f.bytes().length - 50), CHUNK)), 3,
                        "invalid_request", "was started with"),
                arguments("another chunk size", (UnaryOperator<FlowFile>) f ->
                        same(f, FlowFile.of(f.filename(), f.bytes(), CHUNK / 2)), 3, "invalid_request", "was started with"),
                arguments("another filename", (UnaryOperator<FlowFile>) f ->
                        same(f, FlowFile.of("renamed.bin", f.bytes(), CHUNK)), 3, "invalid_request", "renamed.bin"),
                arguments("other bytes for a chunk already received", (UnaryOperator<FlowFile>) f ->
                        same(f, FlowFile.of(f.filename(), randomBytes(f.bytes().length, 13), CHUNK)), 2,
                        "chunk_order_incorrect", "different bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherUploadsUnderTheSameIdentifier")
    void chunkOfAnotherUploadUnderTheSameIdentifierIsRefused(String what, UnaryOperator<FlowFile> other, int chunk,
                                                             String error, String message) {
        FlowStyleClient client = newClient();
        FlowFile file = started(client, "started.bin");
        FlowFile changed = other.apply(file);

        assertRefusedChangingNothing(() -> client.send(changed, chunk), 400, error, message);
    }

    @Test
    void groupOtherThanTheSessionsIsRefused() {
        String owner = principal();
        FlowStyleClient client = client(owner, owner + "-group", owner + "-other");
        FlowFile file = started(client, "grouped.bin");

        assertRefusedChangingNothing(() -> client.withQuery("group", owner + "-other").send(file, 3), 400,
                "invalid_request", owner + "-group");
        assertRefusedChangingNothing(() -> client.withQuery("group", "not-a-member").send(file, 3), 403,
                "forbidden_group");
    }

    @Test
    void shortOrLongBodyOfALaterChunkChangesNothing() {
        FlowStyleClient client = newClient();
        FlowFile file = started(client, "later.bin");
        Map<String, String> params = client.params(file, 3);

        assertRefusedChangingNothing(() -> client.post(params, prefix(file.chunk(3), 100), file.filename()), 400,
                "incomplete_body");
        assertRefusedChangingNothing(() -> client.post(params, randomBytes(CHUNK + 1, 14), file.filename()), 400,
                "invalid_request");
        assertRefusedChangingNothing(() -> client.post(client.params(file, 4), file.chunk(3), file.filename()), 400,
                "incomplete_body");
    }

    @Test
    void laterChunkWithoutTokenChangesNothing() {
        FlowStyleClient client = newClient();
        FlowFile file = started(client, "anonymous-later.bin");

        assertRefusedChangingNothing(() -> new FlowStyleClient(app.baseUrl(), null).send(file, 3), 401, null);
    }

    @Test
    void anotherPrincipalsChunkUnderTheSameIdentifierStartsItsOwnUploadAndLeavesTheFirstAlone() {
        FlowFile file = started(newClient(), "mine.bin");
        Stored before = stored(app);

        Reply other = newClient().send(file, 3);

        assertThat(other.status()).as(other.body()).isEqualTo(200);
        Stored after = stored(app);
        assertThat(after.sessions()).hasSize(before.sessions().size() + 1).containsAll(before.sessions());
        before.chunks().forEach((id, rows) -> assertThat(after.chunks().get(id)).isEqualTo(rows));
    }

    // ---- helpers ----

    /**
     * Sends the request and checks its refusal and that the database and storage are exactly as
     * they were: no session row appeared, every session keeps its rows, no file or directory changed.
     */
    private void assertRefusedChangingNothing(Supplier<Reply> request, int status, @Nullable String error,
                                              String... messageContains) {
        Stored before = stored(app);

        Reply reply = request.get();

        assertRefused(reply, status, error, messageContains);
        assertThat(stored(app)).as("rows and storage after the refusal").isEqualTo(before);
    }

    /** Chunks 1 and 2 of a four-chunk file, sent: an OPEN session that later chunks are tried on. */
    private FlowFile started(FlowStyleClient client, String filename) {
        FlowFile file = file(filename, 15);
        assertThat(client.send(file, 1).status()).isEqualTo(200);
        assertThat(client.send(file, 2).status()).isEqualTo(200);
        return file;
    }

    /** Four chunks and a few bytes (the last chunk is larger). */
    private static FlowFile file(String filename, long seed) {
        return FlowFile.of(filename, randomBytes(4 * CHUNK + 100, seed), CHUNK);
    }

    /** {@code changed}, under the identifier of {@code original}. */
    private static FlowFile same(FlowFile original, FlowFile changed) {
        return changed.withIdentifier(original.identifier());
    }

    private String principal() {
        return "bad-input-" + PRINCIPALS.incrementAndGet();
    }

    /** A client of a principal of its own, in one group. */
    private FlowStyleClient newClient() {
        return client(principal());
    }

    private FlowStyleClient client(String owner, String... groups) {
        String[] memberOf = groups.length == 0 ? new String[] {owner + "-group"} : groups;
        return new FlowStyleClient(app.baseUrl(), app.token(owner, memberOf));
    }

    private static Stream<Arguments> bothMethods(Arguments... cases) {
        return Stream.of(Method.values()).flatMap(method -> Stream.of(cases).map(c -> {
            Object[] args = new Object[c.get().length + 1];
            args[0] = method;
            System.arraycopy(c.get(), 0, args, 1, c.get().length);
            return arguments(args);
        }));
    }

    private static UnaryOperator<Map<String, String>> remove(String name) {
        return params -> {
            Map<String, String> changed = new LinkedHashMap<>(params);
            changed.remove(name);
            return changed;
        };
    }

    private static UnaryOperator<Map<String, String>> set(String name, String value) {
        return params -> {
            Map<String, String> changed = new LinkedHashMap<>(params);
            changed.put(name, value);
            return changed;
        };
    }

    private static byte[] prefix(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }
}

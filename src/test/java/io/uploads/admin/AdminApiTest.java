package io.uploads.admin;

import static io.uploads.admin.SessionMaker.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.uploads.auth.TokenService.Issued;
import io.uploads.core.Actor;
import io.uploads.core.Caller;
import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Await;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.StorageFixture;
import io.uploads.testing.TestFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §6, the admin API over real HTTP: the session list with each filter alone and combined,
 * keyset pages that neither repeat nor skip a row while sessions are created, one session with its
 * chunks, abort (DELETE and POST), totals, the audit trail with its filters, pages and head, and
 * 401/403 on every admin path and method.
 *
 * <p>A fixture of sessions in every state, of every protocol, of two owners in three groups, some
 * made idle with SQL, is created once; other tests add sessions of their own, so a filter's answer
 * is checked as: exactly the expected fixture sessions among its rows, and every row matching the
 * filter.
 */
abstract class AdminApiTest extends AppTestBase {

    /** Open sessions idle longer than this count as stalled in the totals (default 1 hour). */
    private static final Duration STALLED_AFTER = Duration.ofMinutes(30);

    private SessionMaker make;
    private StorageFixture storage;
    private String admin;
    private String ann;
    private String ben;
    /** Fixture sessions by name: r resumables, f flow, j resumable-js, t tus. */
    private final Map<String, String> fx = new LinkedHashMap<>();

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {
                ConfigOverride.config("operations.stalledAfter", "30 minutes"),
                // a name taken while a tus upload runs leaves it due for completion (COMPLETION_DUE)
                ConfigOverride.config("uploads.onExistingFile", "reject"),
                ConfigOverride.config("uploads.maxOpenSessionsPerPrincipal", "1000")};
    }

    @BeforeAll
    void createFixture() throws Exception {
        make = new SessionMaker(app);
        storage = app.storageFixture();
        admin = make.adminToken("ada");
        ann = app.token("ann", "ann-a", "ann-b");
        ben = app.token("ben", "ben-a");

        fx.put("r1", make.resumables(ann, "r1.bin", "ann-a", bytes(1000, 1)));
        fx.put("r2", make.resumables(ann, "r2.bin", "ann-b", bytes(1000, 2), bytes(500, 3)));
        fx.put("r3", make.resumables(ben, "r3.bin", "ben-a", bytes(700, 4)));
        fx.put("f1", make.flow(Library.FLOW, ann, "ann-a", "f1.bin", bytes(3000, 5), 1000, 1));
        fx.put("j1", make.flow(Library.RESUMABLE_JS, ben, "ben-a", "j1.bin", bytes(3000, 6), 1000, 2));
        fx.put("t1", make.tus(ben, "t1.bin", "ben-a", 2000, bytes(500, 7)));
        fx.put("t2", dueForCompletion(ann, "t2.bin", "ann-b", bytes(800, 8)));
        fx.put("c1", make.completedResumables(ann, "c1.bin", "ann-a", bytes(600, 9), bytes(400, 10)));
        String a1 = make.resumables(ben, "a1.bin", "ben-a", bytes(300, 11));
        assertThat(http.delete("/files/resumables?id=" + a1, ben).status()).isEqualTo(200);
        fx.put("a1", a1);
        String e1 = make.tus(ann, "e1.bin", "ann-a", 900, bytes(100, 12));
        make.setInstant(e1, "expires_at", Instant.now().minusSeconds(60));
        make.expireNow();
        fx.put("e1", e1);
        String x1 = make.resumables(ben, "x1.bin", "ben-a", bytes(200, 13));
        make.forceState(x1, SessionState.FAILED);
        fx.put("x1", x1);
        String y1 = make.flow(Library.FLOW, ann, "ann-b", "y1.bin", bytes(2000, 14), 1000, 1);
        make.forceState(y1, SessionState.ASSEMBLING);
        fx.put("y1", y1);

        make.idleFor(fx.get("r2"), Duration.ofMinutes(45));
        make.idleFor(fx.get("r3"), Duration.ofHours(2));
        make.idleFor(fx.get("f1"), Duration.ofHours(2));
        make.idleFor(fx.get("t1"), Duration.ofDays(8));

        Map<String, String> expectedStages = Map.ofEntries(Map.entry("r1", "OPEN"), Map.entry("r2", "OPEN"),
                Map.entry("r3", "OPEN"), Map.entry("f1", "OPEN"), Map.entry("j1", "OPEN"), Map.entry("t1", "OPEN"),
                Map.entry("t2", "COMPLETION_DUE"), Map.entry("c1", "COMPLETED"), Map.entry("a1", "ABORTED"),
                Map.entry("e1", "EXPIRED"), Map.entry("x1", "FAILED"), Map.entry("y1", "ASSEMBLING"));
        expectedStages.forEach((name, stage) ->
                assertThat(app.session(fx.get(name)).orElseThrow().stage().name()).as(name).isEqualTo(stage));
    }

    /** A tus upload holding every byte whose completion was refused: its name was taken meanwhile. */
    private String dueForCompletion(String token, String filename, String group, byte[] file) throws Exception {
        String id = make.createTus(token, filename, group, file.length);
        Path taken = Files.createDirectories(app.storage().resolve("files").resolve(group)).resolve(filename);
        Files.write(taken, new byte[] {1});
        Reply last = make.patchTus(token, id, 0, file);
        assertThat(last.status()).as(last.body()).isEqualTo(409);
        // the sweep retries due completions every minute (and fails again on the taken name); a due
        // time ahead keeps it away, so no background change moves this session while tests count
        make.setInstant(id, "completion_due_at", Instant.now().plus(Duration.ofDays(1)));
        return id;
    }

    // ---------------------------------------------------------------- the list and its filters

    Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of("state=OPEN", Set.of("r1", "r2", "r3", "f1", "j1", "t1", "t2")),
                Arguments.of("state=COMPLETION_DUE", Set.of("t2")),
                Arguments.of("state=ASSEMBLING", Set.of("y1")),
                Arguments.of("state=COMPLETED", Set.of("c1")),
                Arguments.of("state=ABORTED", Set.of("a1")),
                Arguments.of("state=EXPIRED", Set.of("e1")),
                Arguments.of("state=FAILED", Set.of("x1")),
                Arguments.of("owner=ann", Set.of("r1", "r2", "f1", "t2", "c1", "e1", "y1")),
                Arguments.of("owner=ben", Set.of("r3", "j1", "t1", "a1", "x1")),
                Arguments.of("owner=nobody", Set.of()),
                Arguments.of("group=ann-a", Set.of("r1", "f1", "c1", "e1")),
                Arguments.of("group=ann-b", Set.of("r2", "t2", "y1")),
                Arguments.of("group=ben-a", Set.of("r3", "j1", "t1", "a1", "x1")),
                Arguments.of("protocol=resumables", Set.of("r1", "r2", "r3", "c1", "a1", "x1")),
                Arguments.of("protocol=flow", Set.of("f1", "y1")),
                Arguments.of("protocol=resumable-js", Set.of("j1")),
                Arguments.of("protocol=tus", Set.of("t1", "t2", "e1")),
                Arguments.of("idle_longer_than=1h", Set.of("r3", "f1", "t1")),
                Arguments.of("idle_longer_than=PT1H", Set.of("r3", "f1", "t1")),
                Arguments.of("idle_longer_than=30m", Set.of("r2", "r3", "f1", "t1")),
                Arguments.of("idle_longer_than=7%20days", Set.of("t1")),
                // combinations
                Arguments.of("state=OPEN&owner=ann", Set.of("r1", "r2", "f1", "t2")),
                Arguments.of("state=OPEN&protocol=tus", Set.of("t1", "t2")),
                Arguments.of("state=COMPLETION_DUE&owner=ann&group=ann-b&protocol=tus", Set.of("t2")),
                Arguments.of("state=COMPLETION_DUE&owner=ben", Set.of()),
                Arguments.of("owner=ben&group=ben-a&protocol=resumables", Set.of("r3", "a1", "x1")),
                Arguments.of("state=OPEN&owner=ben&idle_longer_than=1h", Set.of("r3", "t1")),
                Arguments.of("state=OPEN&group=ann-a&protocol=flow&idle_longer_than=30m", Set.of("f1")),
                Arguments.of("state=OPEN&owner=ann&idle_longer_than=PT1H", Set.of("f1")),
                Arguments.of("owner=ann&protocol=flow", Set.of("f1", "y1")),
                Arguments.of("state=OPEN&owner=ben&protocol=flow", Set.of()),
                Arguments.of("state=OPEN&protocol=resumable-js&group=ben-a", Set.of("j1")),
                Arguments.of("group=ann-b&idle_longer_than=30m", Set.of("r2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void eachFilterAloneAndCombinedListsExactlyTheMatchingSessions(String query, Set<String> expected) {
        List<JsonNode> rows = listAll(query, 100);
        Instant now = Instant.now();

        assertThat(fixtureNames(rows)).as(query).containsExactlyInAnyOrderElementsOf(expected);
        rows.forEach(row -> assertMatches(row, query, now));
        assertNewestFirstWithoutRepeats(rows);
    }

    @Test
    void createdBeforeAndCreatedAfterBoundTheCreationTime() {
        Instant r2 = created("r2");
        Instant f1 = created("f1");
        Instant t1 = created("t1");

        assertThat(fixtureNames(listAll("created_before=" + f1, 100))).containsExactlyInAnyOrder("r1", "r2", "r3");
        assertThat(fixtureNames(listAll("created_after=" + f1, 100)))
                .containsExactlyInAnyOrder("f1", "j1", "t1", "t2", "c1", "a1", "e1", "x1", "y1");
        assertThat(fixtureNames(listAll("created_after=" + r2 + "&created_before=" + t1, 100)))
                .containsExactlyInAnyOrder("r2", "r3", "f1", "j1");
        assertThat(fixtureNames(listAll("created_after=" + r2 + "&created_before=" + t1 + "&owner=ann", 100)))
                .containsExactlyInAnyOrder("r2", "f1");
        assertThat(fixtureNames(listAll("created_after=" + r2 + "&created_before=" + t1
                + "&state=OPEN&protocol=resumables&idle_longer_than=1h", 100))).containsExactly("r3");
        assertThat(listAll("created_after=" + t1 + "&created_before=" + r2, 100)).isEmpty();

        // before T and after T split every session in two, none in both
        Instant end = Instant.now().plusSeconds(1);
        Set<String> before = ids(listAll("created_before=" + f1, 500));
        Set<String> after = ids(listAll("created_after=" + f1 + "&created_before=" + end, 500));
        Set<String> all = ids(listAll("created_before=" + end, 500));
        assertThat(before).doesNotContainAnyElementsOf(after);
        assertThat(union(before, after)).isEqualTo(all);
        for (JsonNode row : listAll("created_after=" + r2 + "&created_before=" + t1, 500)) {
            Instant c = Instant.parse(row.get("created_at").asText());
            assertThat(c).isAfterOrEqualTo(r2).isBefore(t1);
        }
    }

    @Test
    void listRowsDescribeTheSession() {
        Map<String, JsonNode> rows = byId(listAll("owner=ben&protocol=tus", 100));
        JsonNode t1 = rows.get(fx.get("t1"));
        UploadSession s = app.session(fx.get("t1")).orElseThrow();

        assertThat(t1.get("owner").asText()).isEqualTo("ben");
        assertThat(t1.get("group").asText()).isEqualTo("ben-a");
        assertThat(t1.get("filename").asText()).isEqualTo("t1.bin");
        assertThat(t1.get("protocol").asText()).isEqualTo("tus");
        assertThat(t1.get("state").asText()).isEqualTo("OPEN");
        assertThat(t1.get("stage").asText()).isEqualTo("OPEN");
        assertThat(t1.get("received_bytes").asLong()).isEqualTo(500);
        assertThat(t1.get("total_bytes").asLong()).isEqualTo(2000);
        assertThat(t1.get("chunks").asInt()).isEqualTo(app.chunks(s.id()).size()).isEqualTo(1);
        assertThat(Instant.parse(t1.get("created_at").asText())).isEqualTo(s.createdAt());
        assertThat(Instant.parse(t1.get("updated_at").asText())).isEqualTo(s.updatedAt());
        assertThat(Instant.parse(t1.get("expires_at").asText())).isEqualTo(s.expiresAt());

        JsonNode t2 = byId(listAll("state=COMPLETION_DUE", 100)).get(fx.get("t2"));
        assertThat(t2.get("state").asText()).isEqualTo("OPEN");
        assertThat(t2.get("stage").asText()).isEqualTo("COMPLETION_DUE");
        assertThat(t2.get("received_bytes").asLong()).isEqualTo(800);
    }

    Stream<String> badFilters() {
        return Stream.of("state=BOGUS", "state=", "state=OPEN&state=ABORTED", "protocol=ftp",
                "protocol=resumable_js", "idle_longer_than=soon", "idle_longer_than=-1h", "idle_longer_than=PT-1H",
                "idle_longer_than=1%20fortnight", "idle_longer_than=h", "created_before=yesterday",
                "created_after=2026-13-01T00:00:00Z", "created_before=2026-12-01", "limit=0", "limit=-1",
                "limit=501", "limit=ten", "owner=ann&limit=3.5");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFilters")
    void aBadFilterValueIs400Json(String query) {
        assertJsonError(get("/admin/uploads?" + query), 400);
    }

    Stream<String> extremeValues() {
        return Stream.of("idle_longer_than=9999999999999d", "idle_longer_than=106751991167301d",
                "idle_longer_than=PT9999999999999H", "idle_longer_than=99999999999999999999d",
                "created_before=%2B1000000-01-01T00:00:00Z", "created_after=-1000000-01-01T00:00:00Z",
                "created_after=%2B294277-01-01T00:00:00Z", "created_before=0001-01-01T00:00:00Z",
                "idle_longer_than=3000000d", "idle_longer_than=100000000d",
                "cursor=" + b64("+1000000-01-01T00:00:00Z|" + UUID.randomUUID()));
    }

    /**
     * Well-formed values at the edges of what a duration or an instant can say are answered like
     * any other filter (rows, or 400 when out of range), never as a server or database failure.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("extremeValues")
    void extremeButWellFormedValuesAreAnsweredNotFailed(String query) {
        Reply reply = get("/admin/uploads?" + query);
        assertThat(reply.status()).as(reply.body()).isIn(200, 400);
        if (reply.status() == 400) {
            assertJsonError(reply, 400);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"from=%2B1000000-01-01T00:00:00Z", "to=-1000000-01-01T00:00:00Z",
            "from=0001-01-01T00:00:00Z&to=%2B294277-01-01T00:00:00Z"})
    void extremeAuditTimesAreAnsweredNotFailed(String query) {
        Reply reply = get("/admin/audit?" + query);
        assertThat(reply.status()).as(reply.body()).isIn(200, 400);
        if (reply.status() == 400) {
            assertJsonError(reply, 400);
        }
    }

    @Test
    void headAndOptionsOfAdminPathsGiveNothingAwayWithoutAToken() {
        for (String path : List.of("/admin/uploads", "/admin/uploads/totals", "/admin/audit",
                "/admin/uploads/" + fx.get("r1"))) {
            Reply head = http.send("HEAD", path, null, BodyPublishers.noBody(), Map.of());
            assertThat(head.status()).as("HEAD " + path).isEqualTo(401);
            Reply uploaderHead = http.send("HEAD", path, ann, BodyPublishers.noBody(), Map.of());
            assertThat(uploaderHead.status()).as("HEAD " + path).isEqualTo(403);
            Reply options = http.send("OPTIONS", path, null, BodyPublishers.noBody(), Map.of());
            assertThat(options.body()).as("OPTIONS " + path).doesNotContain(fx.get("r1")).doesNotContain("\"owner\"");
        }
    }

    Stream<String> badCursors() {
        return Stream.of("!!!not-base64!!!", b64("hello"), b64("2026-01-01T00:00:00Z"),
                b64("2026-01-01T00:00:00Z|not-a-uuid"), b64("yesterday|" + UUID.randomUUID()),
                b64(UUID.randomUUID() + "|2026-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @MethodSource("badCursors")
    void aCursorThisApiDidNotGiveOutIs400(String cursor) {
        assertJsonError(get("/admin/uploads?limit=3&cursor=" + enc(cursor)), 400);
        assertJsonError(get("/admin/audit?limit=3&cursor=" + enc(cursor)), 400);
    }

    // ---------------------------------------------------------------- keyset pages

    @Test
    void pagesOfThreeRepeatNoRowAndSkipNoneWhileSessionsAreCreatedBetweenThem() throws Exception {
        String pia = app.token("pia", "pia-group");
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            own.add(make.resumables(pia, "page-" + i + ".bin", null, bytes(10, 100 + i)));
        }
        // five sessions created in the same microsecond: only their ids order them, across pages
        Instant tie = app.session(own.get(4)).orElseThrow().createdAt();
        for (int i = 2; i <= 6; i++) {
            make.setInstant(own.get(i), "created_at", tie);
        }
        List<String> expected = idsNewestFirst("owner = 'pia'");
        assertThat(expected).hasSize(10);

        ExecutorService otherThread = Executors.newSingleThreadExecutor();
        List<String> createdMeanwhile = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try {
            String cursor = null;
            int pages = 0;
            do {
                Reply page = get("/admin/uploads?owner=pia&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                assertThat(page.json().get("items").size()).isLessThanOrEqualTo(3);
                page.json().get("items").forEach(item -> seen.add(item.get("id").asText()));
                cursor = page.text("next_cursor");
                pages++;
                // a matching session is created by another thread before the next page is asked for
                int n = pages;
                createdMeanwhile.add(otherThread.submit(() ->
                        make.resumables(pia, "meanwhile-" + n + ".bin", null, bytes(10, 200 + n))).get());
                assertThat(pages).as("pages").isLessThan(20);
            } while (cursor != null);
            assertThat(pages).isEqualTo(4);
        } finally {
            otherThread.shutdownNow();
        }

        assertThat(seen).as("every session that existed when paging began, once, newest first").isEqualTo(expected);
        assertThat(createdMeanwhile).hasSize(4).doesNotContainAnyElementsOf(seen);
    }

    @Test
    void pagingEverySessionWhileAnotherThreadKeepsCreatingSessions() throws Exception {
        String pete = app.token("pete", "pete-group");
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            before.add(make.resumables(pete, "before-" + i + ".bin", null, bytes(10, 300 + i)));
        }
        // four created in the same microsecond: a page ends among them
        Instant tie = app.session(before.get(1)).orElseThrow().createdAt();
        before.subList(0, 4).forEach(id -> make.setInstant(id, "created_at", tie));
        List<String> existing = idsNewestFirst("1 = 1");
        Set<String> created = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService otherThread = Executors.newSingleThreadExecutor();
        Future<?> creating = otherThread.submit(() -> {
            for (int i = 0; !stop.get() && i < 200; i++) {
                created.add(make.resumables(pete, "during-" + i + ".bin", null, bytes(10, 400 + i)));
            }
        });
        List<String> seen = new ArrayList<>();
        int pages = 0;
        try {
            String cursor = null;
            do {
                Reply page = get("/admin/uploads?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                page.json().get("items").forEach(item -> seen.add(item.get("id").asText()));
                cursor = page.text("next_cursor");
                pages++;
                assertThat(pages).isLessThan(1000);
            } while (cursor != null);
        } finally {
            stop.set(true);
            creating.get(1, TimeUnit.MINUTES);
            otherThread.shutdownNow();
        }

        assertThat(created).as("sessions created while paging").isNotEmpty();
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen.stream().filter(id -> !created.contains(id)).toList())
                .as("every session that existed when paging began, once, newest first").isEqualTo(existing);
        assertThat(pages).isGreaterThanOrEqualTo((existing.size() + 2) / 3);
    }

    @Test
    void theLastPageHasNoCursor() {
        String lex = app.token("lex", "lex-group");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(make.resumables(lex, "last-" + i + ".bin", null, bytes(10, 90 + i)));
        }
        Reply exact = get("/admin/uploads?owner=lex&limit=3");
        assertThat(ids(List.copyOf(iterable(exact.json().get("items"))))).containsExactlyInAnyOrderElementsOf(ids);
        // exactly limit rows match: the page says there is no more
        assertThat(exact.text("next_cursor")).isNull();

        Reply first = get("/admin/uploads?owner=lex&limit=2");
        assertThat(first.json().get("items").size()).isEqualTo(2);
        assertThat(first.text("next_cursor")).isNotNull();
        Reply second = get("/admin/uploads?owner=lex&limit=2&cursor=" + first.text("next_cursor"));
        assertThat(second.json().get("items").size()).isEqualTo(1);
        assertThat(second.text("next_cursor")).isNull();

        Reply none = get("/admin/uploads?owner=nobody-at-all");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("items")).isEmpty();
        assertThat(none.text("next_cursor")).isNull();
        assertThat(get("/admin/uploads").json().get("items").size()).isLessThanOrEqualTo(50);
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    // ---------------------------------------------------------------- one session

    @Test
    void oneSessionComesWithItsChunkList() {
        byte[][] chunks = {bytes(1000, 20), bytes(1500, 21), bytes(10, 22)};
        String id = make.resumables(ann, "detail.bin", "ann-a", chunks);

        Reply reply = get("/admin/uploads/" + id);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode upload = reply.json().get("upload");
        assertThat(upload.get("id").asText()).isEqualTo(id);
        assertThat(upload.get("owner").asText()).isEqualTo("ann");
        assertThat(upload.get("group").asText()).isEqualTo("ann-a");
        assertThat(upload.get("filename").asText()).isEqualTo("detail.bin");
        assertThat(upload.get("protocol").asText()).isEqualTo("resumables");
        assertThat(upload.get("state").asText()).isEqualTo("OPEN");
        assertThat(upload.get("received_bytes").asLong()).isEqualTo(2510);
        assertThat(upload.get("chunks").asInt()).isEqualTo(3);
        assertChunkListMatchesRows(reply, id);
        JsonNode list = reply.json().get("chunks");
        long offset = 0;
        for (int i = 0; i < chunks.length; i++) {
            assertThat(list.get(i).get("number").asInt()).isEqualTo(i + 1);
            assertThat(list.get(i).get("offset").asLong()).isEqualTo(offset);
            assertThat(list.get(i).get("size").asLong()).isEqualTo(chunks[i].length);
            assertThat(list.get(i).get("md5").asText()).isEqualTo(TestFiles.md5(chunks[i]));
            offset += chunks[i].length;
        }
    }

    @Test
    void aFlowSessionsChunksAreListedByNumberWhateverTheOrderTheyCameIn() {
        byte[] file = bytes(4500, 23);
        String id = make.flow(Library.FLOW, ben, "ben-a", "detail-flow.bin", file, 1000, 3, 1);

        Reply reply = get("/admin/uploads/" + id);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("upload").get("chunks").asInt()).isEqualTo(2);
        assertThat(reply.json().get("upload").get("total_bytes").asLong()).isEqualTo(4500);
        assertChunkListMatchesRows(reply, id);
        JsonNode list = reply.json().get("chunks");
        assertThat(list.get(0).get("number").asInt()).isEqualTo(1);
        assertThat(list.get(1).get("number").asInt()).isEqualTo(3);
        assertThat(list.get(1).get("offset").asLong()).isEqualTo(2000);
        assertThat(list.get(1).get("md5").asText()).isEqualTo(TestFiles.md5(Arrays.copyOfRange(file, 2000, 3000)));
    }

    @Test
    void aTusSessionAndAFinishedSessionAreShownToo() {
        String tus = make.tus(ben, "detail-tus.bin", "ben-a", 3000, bytes(1200, 24));
        assertThat(make.patchTus(ben, tus, 1200, bytes(300, 25)).status()).isEqualTo(204);
        Reply open = get("/admin/uploads/" + tus);
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.json().get("chunks").size()).isEqualTo(2);
        assertChunkListMatchesRows(open, tus);

        Reply completed = get("/admin/uploads/" + fx.get("c1"));
        assertThat(completed.status()).isEqualTo(200);
        JsonNode upload = completed.json().get("upload");
        UploadSession c1 = app.session(fx.get("c1")).orElseThrow();
        assertThat(upload.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(upload.get("sha256").asText()).isEqualTo(c1.sha256());
        assertThat(upload.get("final_path").asText()).isEqualTo(c1.finalPath());
        assertThat(Instant.parse(upload.get("completed_at").asText())).isEqualTo(c1.completedAt());
        assertChunkListMatchesRows(completed, fx.get("c1"));
    }

    @Test
    void anUnknownOrMalformedIdIsAnsweredAsAnError() {
        String unknown = UUID.randomUUID().toString();
        assertJsonError(get("/admin/uploads/" + unknown), 404);
        assertJsonError(admin("DELETE", "/admin/uploads/" + unknown), 404);
        assertJsonError(admin("POST", "/admin/uploads/" + unknown + "/abort"), 404);
        for (String bad : List.of("not-a-uuid", "12345", UUID.randomUUID().toString().toUpperCase())) {
            for (Reply r : List.of(get("/admin/uploads/" + bad), admin("DELETE", "/admin/uploads/" + bad),
                    admin("POST", "/admin/uploads/" + bad + "/abort"))) {
                assertThat(r.status()).as(bad + ": " + r.body()).isIn(400, 404);
                assertJsonError(r, r.status());
            }
        }
    }

    // ---------------------------------------------------------------- abort

    @ParameterizedTest
    @ValueSource(strings = {"DELETE", "POST"})
    void abortingAnOpenSessionEndsItDeletesItsBytesAndAuditsTheAdmin(String method) {
        String filename = "abort-" + method + ".bin";
        String id = make.resumables(ann, filename, "ann-a", bytes(1000, 30), bytes(1000, 31));
        assertThat(storage.bytesHeld(id)).isEqualTo(2000);
        long auditBefore = auditCount(id);

        Reply reply = abort(method, id);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.text("id")).isEqualTo(id);
        assertThat(reply.text("state")).isEqualTo("ABORTED");
        UploadSession aborted = app.session(id).orElseThrow();
        assertThat(aborted.state()).isEqualTo(SessionState.ABORTED);
        assertThat(storage.contentsOf(id)).as("bytes left of an aborted session").isEmpty();
        assertThat(storage.holdsAnythingFor(id)).isFalse();
        List<JsonNode> trail = listAllAudit("session=" + id + "&event=session_aborted", 50);
        assertThat(trail).singleElement().satisfies(row -> {
            assertThat(row.get("actor").asText()).isEqualTo("ada");
            assertThat(row.get("session_id").asText()).isEqualTo(id);
        });
        assertThat(auditCount(id)).isEqualTo(auditBefore + 1);

        // its client carries on: refused, and nothing changes
        List<Chunk> chunks = app.chunks(id);
        Reply next = http.patch("/files/stream/" + filename + "?chunk=3&id=" + id, ann, bytes(500, 32));
        assertThat(next.status()).as(next.body()).isIn(404, 409);
        assertJsonError(next, next.status());
        assertThat(app.session(id)).contains(aborted);
        assertThat(app.chunks(id)).isEqualTo(chunks);
        assertThat(storage.holdsAnythingFor(id)).isFalse();

        // an aborted session is finished: aborting it again is 409 and changes nothing
        assertJsonError(abort("DELETE", id), 409);
        assertJsonError(abort("POST", id), 409);
        assertThat(app.session(id)).contains(aborted);
        assertThat(auditCount(id)).isEqualTo(auditBefore + 1);
    }

    @Test
    void abortingATusAndAFlowSessionWorksTheSame() {
        String tus = make.tus(ben, "abort-tus.bin", "ben-a", 2000, bytes(700, 33));
        String flow = make.flow(Library.RESUMABLE_JS, ben, "ben-a", "abort-flow.bin", bytes(3000, 34), 1000, 2);

        assertThat(abort("POST", tus).status()).isEqualTo(200);
        assertThat(abort("DELETE", flow).status()).isEqualTo(200);

        for (String id : List.of(tus, flow)) {
            assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.ABORTED);
            assertThat(storage.holdsAnythingFor(id)).isFalse();
            assertThat(listAllAudit("session=" + id + "&event=session_aborted&actor=ada", 50)).hasSize(1);
        }
        Reply head = http.send("HEAD", SessionMaker.TUS_PATH + "/" + tus, ben, BodyPublishers.noBody(),
                Map.of("Tus-Resumable", "1.0.0"));
        assertThat(head.status()).isIn(404, 410);
    }

    @Test
    void abortingWhileAChunkIsArrivingRefusesTheChunkAndLeavesNothingBehind() throws Exception {
        String id = make.resumables(ann, "inflight.bin", "ann-a", bytes(1000, 35));
        List<Chunk> chunks = app.chunks(id);
        byte[] chunk = bytes(200_000, 36);
        URI base = URI.create(app.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH /files/stream/inflight.bin?chunk=2&id=" + id + " HTTP/1.1\r\n"
                    + "Host: " + base.getAuthority() + "\r\n"
                    + "Authorization: Bearer " + ann + "\r\n"
                    + "Content-Length: " + chunk.length + "\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(chunk, 0, chunk.length / 2);
            out.flush();
            Await.until("the chunk's bytes arriving", () -> storage.bytesHeld(id) > 1000);

            assertThat(abort("DELETE", id).status()).isEqualTo(200);
            out.write(chunk, chunk.length / 2, chunk.length - chunk.length / 2);
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();

            assertThat(statusLine).matches("HTTP/1\\.1 (404|409) .*");
        }
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.ABORTED);
        assertThat(app.chunks(id)).isEqualTo(chunks);
        assertThat(storage.contentsOf(id)).isEmpty();
        assertThat(storage.holdsAnythingFor(id)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"c1", "a1", "e1", "x1"})
    void aFinishedSessionCannotBeAbortedAndStaysAsItWas(String name) {
        String id = fx.get(name);
        UploadSession before = app.session(id).orElseThrow();
        List<Chunk> chunks = app.chunks(id);
        long audit = auditCount(id);

        assertJsonError(abort("DELETE", id), 409);
        assertJsonError(abort("POST", id), 409);

        assertThat(app.session(id)).contains(before);
        assertThat(app.chunks(id)).isEqualTo(chunks);
        assertThat(auditCount(id)).isEqualTo(audit);
    }

    // ---------------------------------------------------------------- totals

    @Test
    void totalsCountSessionsAndBytesByStateAndProtocolOpenAndStalled() throws Exception {
        Map<String, List<Long>> before = awaitTotalsMatchingTheRows();

        String aborted = make.resumables(ann, "tot-r.bin", "ann-a", bytes(1000, 40), bytes(2000, 41));
        assertThat(abort("DELETE", aborted).status()).isEqualTo(200);
        make.flow(Library.FLOW, ben, "ben-a", "tot-f.bin", bytes(3000, 42), 1000, 1);
        String stalled = make.tus(ann, "tot-t.bin", "ann-b", 2000, bytes(500, 43));
        make.idleFor(stalled, Duration.ofHours(2));
        String completed = make.flow(Library.RESUMABLE_JS, ben, "ben-a", "tot-j.bin", bytes(700, 44), 1000, 1);
        assertThat(app.session(completed).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);

        Map<String, List<Long>> expected = new TreeMap<>(before);
        add(expected, "state:OPEN", 2, 1500);
        add(expected, "state:ABORTED", 1, 3000);
        add(expected, "state:COMPLETED", 1, 700);
        add(expected, "protocol:resumables", 1, 3000);
        add(expected, "protocol:flow", 1, 1000);
        add(expected, "protocol:tus", 1, 500);
        add(expected, "protocol:resumable-js", 1, 700);
        add(expected, "open", 2, 1500);
        add(expected, "stalled", 1, 500);
        Map<String, List<Long>> after = awaitTotalsMatchingTheRows();
        assertThat(after).isEqualTo(expected);
    }

    @Test
    void totalsNameTheStalledThresholdAndWhenTheyWereComputed() {
        Reply totals = get("/admin/uploads/totals");
        assertThat(totals.status()).as(totals.body()).isEqualTo(200);
        assertThat(Duration.parse(totals.text("stalled_after"))).isEqualTo(STALLED_AFTER);
        assertThat(Instant.parse(totals.text("computed_at"))).isBeforeOrEqualTo(Instant.now());
        for (SessionState state : SessionState.values()) {
            assertThat(totals.json().get("by_state").has(state.name())).as(state.name()).isTrue();
        }
        for (Protocol protocol : Protocol.values()) {
            assertThat(totals.json().get("by_protocol").has(protocol.wireName())).as(protocol.wireName()).isTrue();
        }
    }

    /**
     * Waits until the served totals (recomputed every 10 s) agree with the rows, counted here one
     * by one; returns them flattened.
     */
    private Map<String, List<Long>> awaitTotalsMatchingTheRows() throws InterruptedException {
        List<Map<String, List<Long>>> last = new ArrayList<>(List.of(Map.of(), Map.of()));
        try {
            Await.until("the totals to match the session rows", () -> {
                Reply reply = get("/admin/uploads/totals");
                if (reply.status() != 200) {
                    return false;
                }
                Map<String, List<Long>> served = flatten(reply.json());
                Map<String, List<Long>> counted = countRows(Instant.parse(reply.text("computed_at")));
                last.set(0, served);
                last.set(1, counted);
                return served.equals(counted);
            });
        } catch (AssertionError e) {
            assertThat(last.get(0)).as("totals served vs counted from the rows").isEqualTo(last.get(1));
        }
        return last.get(0);
    }

    private static Map<String, List<Long>> flatten(JsonNode totals) {
        Map<String, List<Long>> flat = new TreeMap<>();
        totals.get("by_state").fields().forEachRemaining(e -> flat.put("state:" + e.getKey(), count(e.getValue())));
        totals.get("by_protocol").fields().forEachRemaining(e -> flat.put("protocol:" + e.getKey(), count(e.getValue())));
        flat.put("open", count(totals.get("open")));
        flat.put("stalled", count(totals.get("stalled")));
        return flat;
    }

    private static List<Long> count(JsonNode c) {
        return List.of(c.get("sessions").asLong(), c.get("bytes").asLong());
    }

    /** The figures the totals must show, counted row by row from the session table. */
    private Map<String, List<Long>> countRows(Instant computedAt) {
        Map<String, List<Long>> counted = new TreeMap<>();
        for (SessionState s : SessionState.values()) {
            counted.put("state:" + s.name(), List.of(0L, 0L));
        }
        for (Protocol p : Protocol.values()) {
            counted.put("protocol:" + p.wireName(), List.of(0L, 0L));
        }
        counted.put("open", List.of(0L, 0L));
        counted.put("stalled", List.of(0L, 0L));
        for (UploadSession s : allSessions()) {
            add(counted, "state:" + s.state().name(), 1, s.receivedBytes());
            add(counted, "protocol:" + s.protocol().wireName(), 1, s.receivedBytes());
            if (s.state() == SessionState.OPEN) {
                add(counted, "open", 1, s.receivedBytes());
                if (s.updatedAt().isBefore(computedAt.minus(STALLED_AFTER))) {
                    add(counted, "stalled", 1, s.receivedBytes());
                }
            }
        }
        return counted;
    }

    private static void add(Map<String, List<Long>> counts, String key, long sessions, long bytes) {
        List<Long> c = counts.getOrDefault(key, List.of(0L, 0L));
        counts.put(key, List.of(c.get(0) + sessions, c.get(1) + bytes));
    }

    // ---------------------------------------------------------------- audit

    @Test
    void theAuditTrailFiltersBySessionActorEventAndTime() throws Exception {
        String id = make.resumables(ann, "audited.bin", "ann-b", bytes(100, 50), bytes(100, 51));
        Thread.sleep(5);    // each event strictly later than the one before
        make.resumables(ben, "audited-between.bin", "ben-a", bytes(100, 52));
        Thread.sleep(5);
        assertThat(abort("POST", id).status()).isEqualTo(200);
        List<AuditRowInDb> trail = auditRows();
        AuditRowInDb createdRow = trail.stream().filter(r -> id.equals(r.session()) && r.event().equals("session_created"))
                .findFirst().orElseThrow();
        AuditRowInDb abortedRow = trail.stream().filter(r -> id.equals(r.session()) && r.event().equals("session_aborted"))
                .findFirst().orElseThrow();

        assertAuditQuery("session=" + id, r -> id.equals(r.session()));
        assertThat(seqs(listAllAudit("session=" + id, 50))).contains(createdRow.seq(), abortedRow.seq());
        assertAuditQuery("actor=ada", r -> r.actor().equals("ada"));
        assertAuditQuery("actor=ann", r -> r.actor().equals("ann"));
        assertAuditQuery("event=session_aborted", r -> r.event().equals("session_aborted"));
        assertAuditQuery("event=token_issued", r -> r.event().equals("token_issued"));
        assertAuditQuery("event=session_created&actor=ann",
                r -> r.event().equals("session_created") && r.actor().equals("ann"));
        assertAuditQuery("session=" + id + "&event=session_aborted&actor=ada",
                r -> id.equals(r.session()) && r.event().equals("session_aborted") && r.actor().equals("ada"));
        assertThat(listAllAudit("session=" + id + "&event=session_aborted", 50)).hasSize(1);
        assertAuditQuery("actor=nobody", r -> false);

        Instant from = createdRow.occurredAt();
        Instant to = abortedRow.occurredAt();
        assertThat(from).isBefore(to);
        assertAuditQuery("from=" + from + "&to=" + to, r -> !r.occurredAt().isBefore(from) && r.occurredAt().isBefore(to));
        assertThat(seqs(listAllAudit("from=" + from + "&to=" + to, 50)))
                .contains(createdRow.seq()).doesNotContain(abortedRow.seq());
        assertAuditQuery("from=" + from + "&to=" + to + "&actor=ann",
                r -> !r.occurredAt().isBefore(from) && r.occurredAt().isBefore(to) && r.actor().equals("ann"));
        Instant firstEver = trail.get(0).occurredAt();
        assertAuditQuery("to=" + from, 200, r -> r.occurredAt().isBefore(from));
        assertThat(listAllAudit("to=" + firstEver, 50)).isEmpty();

        // [from, middle) and [middle, to) split [from, to)
        Instant middle = trail.stream().filter(r -> r.occurredAt().isAfter(from) && r.occurredAt().isBefore(to))
                .map(AuditRowInDb::occurredAt).findFirst().orElseThrow();
        List<Long> left = seqs(listAllAudit("from=" + from + "&to=" + middle, 50));
        List<Long> right = seqs(listAllAudit("from=" + middle + "&to=" + to, 50));
        List<Long> whole = seqs(listAllAudit("from=" + from + "&to=" + to, 50));
        assertThat(left).contains(createdRow.seq()).doesNotContainAnyElementsOf(right);
        assertThat(right).isNotEmpty();
        assertThat(Stream.concat(right.stream(), left.stream()).toList()).isEqualTo(whole);
    }

    @Test
    void auditRowsShowTheirChainedContent() {
        String id = make.resumables(ben, "audit-content.bin", "ben-a", bytes(64, 52));
        List<JsonNode> rows = listAllAudit("session=" + id, 50);
        assertThat(rows).isNotEmpty();
        for (JsonNode row : rows) {
            Map<String, Object> db = app.jdbi().withHandle(h -> h.createQuery("SELECT * FROM audit_event WHERE seq = :seq")
                    .bind("seq", row.get("seq").asLong()).mapToMap().one());
            assertThat(row.get("hash").asText()).isEqualTo(db.get("hash").toString().trim());
            assertThat(row.get("prev_hash").asText()).isEqualTo(db.get("prev_hash").toString().trim());
            assertThat(row.get("actor").asText()).isEqualTo(db.get("actor"));
            assertThat(row.get("event").asText()).isEqualTo(db.get("event"));
            assertThat(row.get("session_id").asText()).isEqualTo(id);
            assertThat(row.get("protocol").asText()).isEqualTo("resumables");
            assertThat(row.get("filename").asText()).isEqualTo("audit-content.bin");
            assertThat(row.get("group").asText()).isEqualTo("ben-a");
        }
    }

    @Test
    void auditPagesOfThreeFollowTheChainBackwardsWithoutGapsOrRepeats() {
        // enough of ann's own rows for several pages
        for (int i = 0; i < 4; i++) {
            make.resumables(ann, "audit-page-" + i + ".bin", "ann-a", bytes(10, 60 + i));
        }
        List<Long> expected = auditRows().stream().filter(r -> r.actor().equals("ann"))
                .map(AuditRowInDb::seq).sorted(Comparator.reverseOrder()).toList();
        assertThat(expected.size()).isGreaterThan(6);

        List<Long> seen = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            Reply page = get("/admin/audit?actor=ann&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().get("items").size()).isBetween(1, 3);
            page.json().get("items").forEach(r -> seen.add(r.get("seq").asLong()));
            cursor = page.text("next_cursor");
            pages++;
        } while (cursor != null && pages < 100);

        assertThat(seen).isEqualTo(expected);
        assertThat(pages).isEqualTo((expected.size() + 2) / 3);

        // the whole trail, newest first; rows appended meanwhile (later seq) are not in it
        List<Long> all = seqs(listAllAudit("", 7));
        assertThat(all).doesNotHaveDuplicates().isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(all).isEqualTo(auditRows().stream().map(AuditRowInDb::seq).filter(s -> s <= all.get(0))
                .sorted(Comparator.reverseOrder()).toList());
    }

    @Test
    void theAuditHeadIsTheLastRowOfTheChain() {
        make.resumables(ben, "head.bin", "ben-a", bytes(10, 70));
        long before = lastSeqInDb();

        Reply page = get("/admin/audit?limit=1");
        long after = lastSeqInDb();

        assertThat(page.status()).isEqualTo(200);
        long headSeq = page.json().get("head").get("seq").asLong();
        String headHash = page.json().get("head").get("hash").asText();
        assertThat(headSeq).isBetween(before, after);
        String hashInDb = app.jdbi().withHandle(h -> h.createQuery("SELECT hash FROM audit_event WHERE seq = :s")
                .bind("s", headSeq).mapTo(String.class).one()).trim();
        assertThat(headHash).matches("[0-9a-f]{64}").isEqualTo(hashInDb);
        if (before == after) {
            JsonNode newest = page.json().get("items").get(0);
            assertThat(newest.get("seq").asLong()).isEqualTo(headSeq);
            assertThat(newest.get("hash").asText()).isEqualTo(headHash);
        }
        // a filtered page names the same head
        Reply filtered = get("/admin/audit?actor=nobody");
        assertThat(filtered.json().get("items")).isEmpty();
        assertThat(filtered.json().get("head").get("seq").asLong()).isGreaterThanOrEqualTo(headSeq);
    }

    @ParameterizedTest
    @ValueSource(strings = {"from=yesterday", "to=2026-12-01", "from=2026-02-30T00:00:00Z", "limit=0", "limit=501",
            "limit=x", "event=", "actor=a&actor=b", "cursor=" + "%21%21"})
    void aBadAuditQueryIs400Json(String query) {
        assertJsonError(get("/admin/audit?" + query), 400);
    }

    /**
     * The trail for {@code query}, every page of it, is exactly the rows that match, newest first.
     * Only this test class writes rows these queries match (background writers are the sweep and
     * the denial log, as {@code system} and {@code anonymous}), so no row appears meanwhile.
     */
    private void assertAuditQuery(String query, int limit, Predicate<AuditRowInDb> matches) {
        List<Long> served = seqs(listAllAudit(query, limit));
        List<Long> expected = auditRows().stream().filter(matches).map(AuditRowInDb::seq)
                .sorted(Comparator.reverseOrder()).toList();
        assertThat(served).as(query).isEqualTo(expected);
    }

    private void assertAuditQuery(String query, Predicate<AuditRowInDb> matches) {
        assertAuditQuery(query, 4, matches);
    }

    record AuditRowInDb(long seq, Instant occurredAt, String actor, String event, String session) {}

    private List<AuditRowInDb> auditRows() {
        return app.jdbi().withHandle(h -> h.createQuery(
                        "SELECT seq, occurred_at, actor, event, session_id FROM audit_event ORDER BY seq")
                .map((rs, ctx) -> new AuditRowInDb(rs.getLong("seq"),
                        rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
                        rs.getString("event"), rs.getString("session_id")))
                .list());
    }

    private long lastSeqInDb() {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT MAX(seq) FROM audit_event").mapTo(Long.class).one());
    }

    private long auditCount(String sessionId) {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_event WHERE session_id = :id")
                .bind("id", sessionId).mapTo(Long.class).one());
    }

    private List<JsonNode> listAllAudit(String query, int limit) {
        List<JsonNode> rows = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = get("/admin/audit?" + (query.isEmpty() ? "" : query + "&") + "limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(query + ": " + page.body()).isEqualTo(200);
            page.json().get("items").forEach(rows::add);
            cursor = page.text("next_cursor");
            if (++pages > 2000) {
                fail("no end to the pages of " + query);
            }
        } while (cursor != null);
        return rows;
    }

    private static List<Long> seqs(List<JsonNode> rows) {
        return rows.stream().map(r -> r.get("seq").asLong()).toList();
    }

    // ---------------------------------------------------------------- who may

    Stream<Arguments> adminRequests() {
        String unknown = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of("GET", "/admin/uploads"),
                Arguments.of("GET", "/admin/uploads?state=OPEN&owner=ann&limit=3"),
                Arguments.of("GET", "/admin/uploads?state=BOGUS"),
                Arguments.of("GET", "/admin/uploads/totals"),
                Arguments.of("GET", "/admin/uploads/{guard}"),
                Arguments.of("GET", "/admin/uploads/" + unknown),
                Arguments.of("DELETE", "/admin/uploads/{guard}"),
                Arguments.of("DELETE", "/admin/uploads/" + unknown),
                Arguments.of("DELETE", "/admin/uploads/not-a-uuid"),
                Arguments.of("POST", "/admin/uploads/{guard}/abort"),
                Arguments.of("POST", "/admin/uploads/" + unknown + "/abort"),
                Arguments.of("GET", "/admin/audit"),
                Arguments.of("GET", "/admin/audit?session={guard}&limit=2"),
                Arguments.of("GET", "/admin/audit?from=garbage"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("adminRequests")
    void withoutATokenIs401AndWithAnUploaderTokenIs403(String method, String target) {
        // the guard is ann's own open session: even its owner may not use the admin API on it
        String guard = make.resumables(ann, "guard-" + UUID.randomUUID() + ".bin", "ann-a", bytes(100, 80));
        UploadSession before = app.session(guard).orElseThrow();
        String path = target.replace("{guard}", guard);

        assertJsonError(http.send(method, path, null, BodyPublishers.noBody(), Map.of()), 401);
        assertJsonError(http.send(method, path, "not-a-token", BodyPublishers.noBody(), Map.of()), 401);
        assertJsonError(http.send(method, path, null, BodyPublishers.noBody(),
                Map.of("Authorization", basic("ann", "wrong"))), 401);
        assertJsonError(http.send(method, path, ann, BodyPublishers.noBody(), Map.of()), 403);
        assertJsonError(http.send(method, path, ben, BodyPublishers.noBody(), Map.of()), 403);

        assertThat(app.session(guard)).contains(before);
        assertThat(storage.bytesHeld(guard)).isEqualTo(100);
    }

    @Test
    void aRevokedOrExpiredAdminTokenIs401() {
        Issued revoked = app.tokens().issue("ray", List.of("ray-group"), Set.of(Caller.UPLOADER, Caller.ADMIN),
                Duration.ofHours(1), Actor.cli("test"));
        assertThat(http.get("/admin/uploads/totals", revoked.token()).status()).isEqualTo(200);
        app.tokens().revoke(revoked.record().jti(), Actor.cli("token-revoke"));
        Issued expired = app.tokens().issue("exa", List.of("exa-group"), Set.of(Caller.UPLOADER, Caller.ADMIN),
                Duration.ofSeconds(-1), Actor.cli("test"));

        assertJsonError(http.get("/admin/uploads/totals", revoked.token()), 401);
        assertJsonError(http.get("/admin/uploads", expired.token()), 401);
    }

    @Test
    void theAdminTokenWorksAsBearerAndAsBasicPassword() {
        assertThat(get("/admin/uploads?limit=1").status()).isEqualTo(200);
        assertThat(http.send("GET", "/admin/audit?limit=1", null, BodyPublishers.noBody(),
                Map.of("Authorization", basic("ada", admin))).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- helpers

    private Reply get(String pathAndQuery) {
        return http.get(pathAndQuery, admin);
    }

    private Reply admin(String method, String pathAndQuery) {
        return http.send(method, pathAndQuery, admin, BodyPublishers.noBody(), Map.of());
    }

    private Reply abort(String method, String id) {
        return method.equals("DELETE") ? admin("DELETE", "/admin/uploads/" + id)
                : admin("POST", "/admin/uploads/" + id + "/abort");
    }

    /** Every row of the list for {@code query}, following next_cursor to the end. */
    private List<JsonNode> listAll(String query, int limit) {
        List<JsonNode> rows = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = get("/admin/uploads?" + (query.isEmpty() ? "" : query + "&") + "limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(query + ": " + page.body()).isEqualTo(200);
            assertThat(page.json().get("items").size()).isLessThanOrEqualTo(limit);
            page.json().get("items").forEach(rows::add);
            cursor = page.text("next_cursor");
            if (++pages > 1000) {
                fail("no end to the pages of " + query);
            }
        } while (cursor != null);
        return rows;
    }

    private Set<String> fixtureNames(List<JsonNode> rows) {
        Set<String> ids = ids(rows);
        return fx.entrySet().stream().filter(e -> ids.contains(e.getValue())).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Set<String> ids(List<JsonNode> rows) {
        return rows.stream().map(r -> r.get("id").asText()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Map<String, JsonNode> byId(List<JsonNode> rows) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        rows.forEach(r -> byId.put(r.get("id").asText(), r));
        return byId;
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private Instant created(String name) {
        return app.session(fx.get(name)).orElseThrow().createdAt();
    }

    /** Ids of the sessions matching {@code where}, newest first as the API orders them. */
    private List<String> idsNewestFirst(String where) {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT id, created_at FROM upload_session WHERE " + where)
                        .map((rs, ctx) -> Map.entry(rs.getString("id"),
                                rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                        .list())
                .stream()
                .sorted(Map.Entry.<String, Instant>comparingByValue().reversed()
                        .thenComparing(Map.Entry.<String, Instant>comparingByKey().reversed()))
                .map(Map.Entry::getKey)
                .toList();
    }

    private List<UploadSession> allSessions() {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT id FROM upload_session").mapTo(String.class).list())
                .stream().map(id -> app.session(id).orElseThrow()).toList();
    }

    /** A row of the list satisfies every filter of the query it answered. */
    private static void assertMatches(JsonNode row, String query, Instant now) {
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            String value = URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            String what = row.get("id").asText() + " for " + query;
            switch (kv[0]) {
                case "state" -> {
                    if (value.equals("OPEN")) {
                        assertThat(row.get("state").asText()).as(what).isEqualTo("OPEN");
                        assertThat(row.get("stage").asText()).as(what).isIn("OPEN", "COMPLETION_DUE");
                    } else {
                        assertThat(row.get("stage").asText()).as(what).isEqualTo(value);
                    }
                }
                case "owner" -> assertThat(row.get("owner").asText()).as(what).isEqualTo(value);
                case "group" -> assertThat(row.get("group").asText()).as(what).isEqualTo(value);
                case "protocol" -> assertThat(row.get("protocol").asText()).as(what).isEqualTo(value);
                case "idle_longer_than" -> assertThat(Instant.parse(row.get("updated_at").asText())).as(what)
                        .isBefore(now.minus(IDLE.get(value)));
                default -> throw new IllegalArgumentException(kv[0]);
            }
        }
    }

    private static final Map<String, Duration> IDLE = Map.of("1h", Duration.ofHours(1), "PT1H", Duration.ofHours(1),
            "30m", Duration.ofMinutes(30), "7 days", Duration.ofDays(7));

    private static void assertNewestFirstWithoutRepeats(List<JsonNode> rows) {
        for (int i = 1; i < rows.size(); i++) {
            Instant previous = Instant.parse(rows.get(i - 1).get("created_at").asText());
            Instant current = Instant.parse(rows.get(i).get("created_at").asText());
            assertThat(current).as("row %d", i).isBeforeOrEqualTo(previous);
            if (current.equals(previous)) {
                assertThat(rows.get(i).get("id").asText()).isLessThan(rows.get(i - 1).get("id").asText());
            }
        }
    }

    private void assertChunkListMatchesRows(Reply reply, String id) {
        List<Chunk> rows = app.chunks(id);
        JsonNode list = reply.json().get("chunks");
        assertThat(list.size()).isEqualTo(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Chunk c = rows.get(i);
            JsonNode j = list.get(i);
            assertThat(j.get("number").asInt()).isEqualTo(c.chunkNumber());
            assertThat(j.get("offset").asLong()).isEqualTo(c.chunkOffset());
            assertThat(j.get("size").asLong()).isEqualTo(c.sizeBytes());
            assertThat(j.get("md5").asText()).isEqualTo(c.md5());
            assertThat(Instant.parse(j.get("received_at").asText())).isEqualTo(c.receivedAt());
        }
    }

    /** The status, and the JSON error body every refusal carries. */
    static void assertJsonError(Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json()).as("JSON body: " + reply.body()).isNotNull();
        assertThat(reply.json().get("code").asInt()).isEqualTo(status);
        assertThat(reply.text("message")).isNotBlank();
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

package io.uploads.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency of the read paths of a server whose PostgreSQL database holds a million sessions (seeded
 * by {@code bench/million-seed.sql}): resume by name and by id, the caller's list, admin pages with
 * each filter alone and in combinations, keyset pages, the audit trail and the totals, beside
 * Dropwizard's {@code /ping} on the admin port as the floor. Requests are sequential, one at a time,
 * round-robin over the families (so that the machine's load, which changes, weighs on each family
 * alike), after a warm-up. Then {@code EXPLAIN (ANALYZE, BUFFERS)} of each family's SQL, as the DAOs
 * send it, with the same parameters. Not a test: run it with {@code bench/million.sh}.
 *
 * <p>{@code chunk-files <jdbc url> <storage dir>}: creates every chunk file the open sessions
 * record, as a sparse file of the recorded size, so that start-up recovery finds their bytes.
 *
 * <p>{@code run <app url> <admin url> <uploader> <uploader token> <admin token> <jdbc url> <requests
 * per family> <explain file>}: measures, prints the table, writes the plans.
 */
public final class MillionBenchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARM_UP = 200;
    private static final int PAGE = 50;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "chunk-files" -> chunkFiles(args[1], Path.of(args[2]));
            case "run" -> new MillionBenchmark(args).run();
            default -> throw new IllegalArgumentException("chunk-files or run, not " + args[0]);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // chunk files

    private static void chunkFiles(String jdbcUrl, Path storage) throws Exception {
        Path sessions = storage.resolve("sessions");
        long files = 0;
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            c.setAutoCommit(false);   // lets the driver stream the rows instead of holding them all
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT c.session_id, c.chunk_number, c.size_bytes
                    FROM upload_chunk c JOIN upload_session s ON s.id = c.session_id
                    WHERE s.state = 'OPEN'
                    """)) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Path dir = sessions.resolve(rs.getString(1));
                        Files.createDirectories(dir);
                        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(rs.getInt(2) + ".chunk").toFile(), "rw")) {
                            f.setLength(rs.getLong(3));   // sparse: the size recovery checks, no bytes written
                        }
                        files++;
                    }
                }
            }
        }
        System.out.printf("%d chunk files (sparse) created under %s in %.1f s%n", files, sessions,
                (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------
    // the run

    private final String app;
    private final String admin;
    private final String uploader;
    private final String uploaderToken;
    private final String adminToken;
    private final String jdbcUrl;
    private final int requests;
    private final Path explainFile;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private MillionBenchmark(String[] args) {
        this.app = args[1];
        this.admin = args[2];
        this.uploader = args[3];
        this.uploaderToken = args[4];
        this.adminToken = args[5];
        this.jdbcUrl = args[6];
        this.requests = Integer.parseInt(args[7]);
        this.explainFile = Path.of(args[8]);
    }

    /** What the families ask for, picked from the seeded database. */
    /** {@code resumable}: the open native sessions not past their expiry, which resume by name finds. */
    private record Sample(List<String[]> open, List<String[]> resumable, List<String> owners, List<String> groups, List<String> sessionIds,
                          String deepCursor, long sessions, long auditRows) {}

    /** A family of requests: its name, its target, the i-th request's path, and its SQL (for EXPLAIN). */
    private record Family(String name, Target target, String base, IntFunction<String> path, String token,
                          List<Sql> sql) {}

    private enum Target {
        FLOOR(Double.NaN), RESUME(3), READ(5);
        final double p50;

        Target(double p50) {
            this.p50 = p50;
        }
    }

    /** A statement as a DAO sends it ({@code :name} parameters) with the values of one request. */
    private record Sql(String label, String text, Map<String, Object> params) {}

    private void run() throws Exception {
        Sample sample = sample();
        System.out.printf("seeded: %,d sessions, %,d audit rows; uploader %s has %d open sessions%n",
                sample.sessions(), sample.auditRows(), uploader, sample.open().size());
        List<Family> families = families(sample);
        for (Family f : families) {   // every family must answer 200 before anything is timed
            for (int i = 0; i < 3; i++) {
                get(f, i);
            }
        }
        LoadSampler load = new LoadSampler();
        load.start();
        for (int rep = 0; rep < WARM_UP; rep++) {
            for (Family f : families) {
                get(f, rep);
            }
        }
        long[][] nanos = new long[families.size()][requests];
        int[] rows = new int[families.size()];
        long start = System.nanoTime();
        for (int rep = 0; rep < requests; rep++) {
            for (int k = 0; k < families.size(); k++) {
                Family f = families.get(k);
                long t0 = System.nanoTime();
                String body = get(f, WARM_UP + rep);
                nanos[k][rep] = System.nanoTime() - t0;
                if (rep == requests - 1) {
                    rows[k] = rowsOf(body);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        load.stopSampling();
        printTable(families, nanos, rows, seconds, load);
        explain(families, sample);
    }

    private List<Family> families(Sample s) throws Exception {
        List<String[]> open = s.open();
        List<String> owners = s.owners();
        List<String> groups = s.groups();
        List<String> ids = s.sessionIds();
        String[] protocols = {"resumables", "tus", "flow", "resumable-js"};
        String[] storedProtocols = {"RESUMABLES", "TUS", "FLOW", "RESUMABLE_JS"};
        Instant monthAgo = now.minus(30, ChronoUnit.DAYS);
        Instant quarterAgo = now.minus(90, ChronoUnit.DAYS);
        Instant hourAgo = now.minus(1, ChronoUnit.HOURS);
        Instant dayAgo = now.minus(1, ChronoUnit.DAYS);
        Instant from60 = now.minus(60, ChronoUnit.DAYS);
        Instant to59 = now.minus(59, ChronoUnit.DAYS);
        String secondPage = cursorAfterFirstPage("/admin/uploads?limit=" + PAGE);
        String secondOpenPage = cursorAfterFirstPage("/admin/uploads?limit=" + PAGE + "&state=OPEN");
        String auditSecondPage = cursorAfterFirstPage("/admin/audit?limit=" + PAGE);
        long auditCursorSeq = Long.parseLong(new String(Base64.getUrlDecoder().decode(auditSecondPage), StandardCharsets.UTF_8));
        String[] deep = new String(Base64.getUrlDecoder().decode(s.deepCursor()), StandardCharsets.UTF_8).split("\\|");
        String[] page1 = new String(Base64.getUrlDecoder().decode(secondPage), StandardCharsets.UTF_8).split("\\|");
        String[] openPage1 = new String(Base64.getUrlDecoder().decode(secondOpenPage), StandardCharsets.UTF_8).split("\\|");

        List<Family> f = new ArrayList<>();
        f.add(new Family("/ping (admin port, the floor)", Target.FLOOR, admin, i -> "/ping", null, List.of()));
        List<String[]> resumable = s.resumable();
        f.add(new Family("resume by name", Target.RESUME, app,
                i -> "/files/resumables/" + enc(resumable.get(i % resumable.size())[1]), uploaderToken, List.of(
                        token(), new Sql("latestOpen", LATEST_OPEN, params("owner", uploader, "filename",
                                resumable.get(0)[1], "protocol", "RESUMABLES", "now", now)),
                        lastChunk(resumable.get(0)[0]))));
        f.add(new Family("resume by id", Target.RESUME, app,
                i -> "/files/resumables/" + enc(open.get(i % open.size())[1]) + "?id=" + open.get(i % open.size())[0],
                uploaderToken, List.of(token(), new Sql("find", FIND, params("id", open.get(0)[0])), lastChunk(open.get(0)[0]))));
        f.add(new Family("caller's list (" + open.size() + " open)", Target.READ, app, i -> "/files/resumables",
                uploaderToken, List.of(token(), new Sql("listOpenWithLastChunk", LIST_OPEN,
                        params("owner", uploader, "limit", 100)))));

        adminPage(f, "admin page, no filter", i -> "", Map.of());
        adminPage(f, "admin state=OPEN", i -> "&state=OPEN", Map.of("state", "OPEN"));
        adminPage(f, "admin state=COMPLETED", i -> "&state=COMPLETED", Map.of("state", "COMPLETED"));
        adminPage(f, "admin state=ABORTED", i -> "&state=ABORTED", Map.of("state", "ABORTED"));
        adminPage(f, "admin state=FAILED", i -> "&state=FAILED", Map.of("state", "FAILED"));
        adminPage(f, "admin state=COMPLETION_DUE", i -> "&state=COMPLETION_DUE", Map.of("state", "OPEN", "due", true));
        adminPage(f, "admin owner=", i -> "&owner=" + owners.get(i % owners.size()), Map.of("owner", owners.get(0)));
        adminPage(f, "admin group=", i -> "&group=" + groups.get(i % groups.size()), Map.of("groupName", groups.get(0)));
        adminPage(f, "admin protocol=", i -> "&protocol=" + protocols[i % 4], Map.of("protocol", storedProtocols[0]));
        adminPage(f, "admin idle_longer_than=1h", i -> "&idle_longer_than=1h", Map.of("idleSince", hourAgo));
        adminPage(f, "admin created_before=-30d", i -> "&created_before=" + monthAgo, Map.of("createdBefore", monthAgo));
        adminPage(f, "admin created_after=-90d", i -> "&created_after=" + quarterAgo, Map.of("createdAfter", quarterAgo));
        adminPage(f, "admin state=OPEN&owner=", i -> "&state=OPEN&owner=" + owners.get(i % owners.size()),
                Map.of("state", "OPEN", "owner", owners.get(0)));
        adminPage(f, "admin state=OPEN&idle_longer_than=1d", i -> "&state=OPEN&idle_longer_than=1d",
                Map.of("state", "OPEN", "idleSince", dayAgo));
        adminPage(f, "admin state=COMPLETED&protocol=&group=",
                i -> "&state=COMPLETED&protocol=" + protocols[i % 4] + "&group=" + groups.get(i % groups.size()),
                Map.of("state", "COMPLETED", "protocol", storedProtocols[0], "groupName", groups.get(0)));
        adminPage(f, "admin state=ABORTED&group=", i -> "&state=ABORTED&group=" + groups.get(i % groups.size()),
                Map.of("state", "ABORTED", "groupName", groups.get(0)));
        adminPage(f, "admin group=&created_after=-30d", i -> "&group=" + groups.get(i % groups.size()) + "&created_after=" + monthAgo,
                Map.of("groupName", groups.get(0), "createdAfter", monthAgo));
        adminPage(f, "admin protocol=&state=EXPIRED&created_before=-30d",
                i -> "&protocol=" + protocols[i % 4] + "&state=EXPIRED&created_before=" + monthAgo,
                Map.of("protocol", storedProtocols[0], "state", "EXPIRED", "createdBefore", monthAgo));
        adminPage(f, "admin 2nd page (cursor)", i -> "&cursor=" + secondPage,
                Map.of("afterCreated", Instant.parse(page1[0]), "afterId", page1[1]));
        adminPage(f, "admin state=OPEN 2nd page (cursor)", i -> "&state=OPEN&cursor=" + secondOpenPage,
                Map.of("state", "OPEN", "afterCreated", Instant.parse(openPage1[0]), "afterId", openPage1[1]));
        adminPage(f, "admin page " + (s.sessions() / 2 / PAGE + 1) + " (cursor, half-way)", i -> "&cursor=" + s.deepCursor(),
                Map.of("afterCreated", Instant.parse(deep[0]), "afterId", deep[1]));

        auditPage(f, "audit page, no filter", i -> "", Map.of());
        auditPage(f, "audit actor=", i -> "&actor=" + owners.get(i % owners.size()), Map.of("actor", owners.get(0)));
        auditPage(f, "audit event=session_aborted", i -> "&event=session_aborted", Map.of("event", "session_aborted"));
        auditPage(f, "audit session=", i -> "&session=" + ids.get(i % ids.size()), Map.of("session", ids.get(0)));
        auditPage(f, "audit from=-1d", i -> "&from=" + dayAgo, Map.of("fromTime", dayAgo));
        auditPage(f, "audit from=-60d&to=-59d", i -> "&from=" + from60 + "&to=" + to59,
                Map.of("fromTime", from60, "toTime", to59));
        auditPage(f, "audit event=&from=-60d&to=-59d", i -> "&event=session_completed&from=" + from60 + "&to=" + to59,
                Map.of("event", "session_completed", "fromTime", from60, "toTime", to59));
        auditPage(f, "audit 2nd page (cursor)", i -> "&cursor=" + auditSecondPage, Map.of("beforeSeq", auditCursorSeq));
        String window = "&from=" + from60 + "&to=" + to59;
        String windowSecondPage = cursorAfterFirstPage("/admin/audit?limit=" + PAGE + window);
        long windowCursorSeq = Long.parseLong(new String(Base64.getUrlDecoder().decode(windowSecondPage), StandardCharsets.UTF_8));
        auditPage(f, "audit from=-60d&to=-59d 2nd page (cursor)", i -> window + "&cursor=" + windowSecondPage,
                Map.of("fromTime", from60, "toTime", to59, "beforeSeq", windowCursorSeq));

        f.add(new Family("totals (cached, refreshed every 10 s)", Target.READ, app, i -> "/admin/uploads/totals", adminToken,
                List.of(token(), new Sql("tallies (background, every 10 s)", TALLIES, Map.of()),
                        new Sql("stalled (background, every 10 s)", STALLED, params("idleSince", hourAgo)))));
        return f;
    }

    private void adminPage(List<Family> f, String name, IntFunction<String> query, Map<String, Object> filter) {
        f.add(new Family(name, Target.READ, app, i -> "/admin/uploads?limit=" + PAGE + query.apply(i), adminToken,
                List.of(token(), adminSessionsSql(filter, PAGE + 1))));
    }

    private void auditPage(List<Family> f, String name, IntFunction<String> query, Map<String, Object> filter) {
        f.add(new Family(name, Target.READ, app, i -> "/admin/audit?limit=" + PAGE + query.apply(i), adminToken,
                List.of(token(), auditSql(filter, PAGE + 1), new Sql("audit head", AUDIT_HEAD, Map.of()))));
    }

    private String cursorAfterFirstPage(String path) throws Exception {
        JsonNode page = JSON.readTree(send(app + path, adminToken));
        return page.get("next_cursor").asText();
    }

    private Sample sample() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            List<String[]> open = new ArrayList<>();
            List<String[]> resumable = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, filename, protocol = 'RESUMABLES' AND expires_at > now()"
                    + " FROM upload_session WHERE owner = ? AND state = 'OPEN' ORDER BY id")) {
                ps.setString(1, uploader);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String[] session = {rs.getString(1), rs.getString(2)};
                        open.add(session);
                        if (rs.getBoolean(3)) {
                            resumable.add(session);
                        }
                    }
                }
            }
            if (resumable.isEmpty()) {
                throw new IllegalStateException(uploader + " has no open native sessions to resume by name");
            }
            Set<String> owners = new LinkedHashSet<>();
            Set<String> groups = new LinkedHashSet<>();
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT owner, group_name, id FROM upload_session TABLESAMPLE BERNOULLI (0.2) REPEATABLE (7) LIMIT 200")) {
                while (rs.next()) {
                    owners.add(rs.getString(1));
                    groups.add(rs.getString(2));
                    ids.add(rs.getString(3));
                }
            }
            long sessions = count(st, "SELECT count(*) FROM upload_session");
            long audit = count(st, "SELECT count(*) FROM audit_event");
            String deep;
            try (ResultSet rs = st.executeQuery("SELECT created_at, id FROM upload_session ORDER BY created_at DESC, id DESC"
                    + " OFFSET " + (sessions / 2 / PAGE * PAGE - 1) + " LIMIT 1")) {
                rs.next();
                deep = cursor(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2));
            }
            return new Sample(open, resumable, new ArrayList<>(owners), new ArrayList<>(groups), ids, deep, sessions, audit);
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** As AdminResource encodes a page's end. */
    private static String cursor(Instant createdAt, String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    private String get(Family f, int i) throws Exception {
        return send(f.base() + f.path().apply(i), f.token());
    }

    private static String send(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static int rowsOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            for (String field : List.of("items", "resumables")) {
                if (n.has(field)) {
                    return n.get(field).size();
                }
            }
        } catch (IOException e) {
            // not JSON: /ping
        }
        return -1;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---------------------------------------------------------------------------------------------
    // the table

    private void printTable(List<Family> families, long[][] nanos, int[] rows, double seconds, LoadSampler load) {
        double pingP99 = percentile(nanos[0], 99);
        System.out.printf("%n%,d sequential requests per family, round-robin over %d families, after %d warm-up rounds;"
                + " %.0f s; load average (1 min) during the run: min %.2f, mean %.2f, max %.2f on %d cores%n",
                requests, families.size(), WARM_UP, seconds, load.min, load.mean(), load.max,
                Runtime.getRuntime().availableProcessors());
        String header = String.format("%-48s %7s %7s %7s %7s %5s  %s", "family", "p50 ms", "p95 ms", "p99 ms", "max ms",
                "rows", "target: p50, p99 <= ping p99 + 10 ms");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        List<String> misses = new ArrayList<>();
        for (int k = 0; k < families.size(); k++) {
            Family f = families.get(k);
            double p50 = percentile(nanos[k], 50);
            double p95 = percentile(nanos[k], 95);
            double p99 = percentile(nanos[k], 99);
            double max = percentile(nanos[k], 100);
            String verdict;
            if (f.target() == Target.FLOOR) {
                verdict = "floor";
            } else {
                boolean p50ok = p50 < f.target().p50;
                boolean p99ok = p99 <= pingP99 + 10;
                verdict = String.format("p50 < %.0f %s, p99 %s", f.target().p50, p50ok ? "ok" : "MISSED",
                        p99ok ? "ok" : "MISSED");
                if (!p50ok || !p99ok) {
                    misses.add(f.name());
                }
            }
            System.out.printf("%-48s %7.2f %7.2f %7.2f %7.1f %5s  %s%n", f.name(), p50, p95, p99, max,
                    rows[k] < 0 ? "" : Integer.toString(rows[k]), verdict);
        }
        System.out.println(misses.isEmpty() ? "every target met" : "targets missed: " + String.join("; ", misses));
    }

    private static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** The 1-minute load average, once a second, while the families run. */
    private static final class LoadSampler extends Thread {
        private final AtomicBoolean running = new AtomicBoolean(true);
        double min = Double.MAX_VALUE;
        double max;
        double sum;
        int n;

        LoadSampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running.get()) {
                try {
                    double l = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                    synchronized (this) {
                        min = Math.min(min, l);
                        max = Math.max(max, l);
                        sum += l;
                        n++;
                    }
                    Thread.sleep(1000);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() throws InterruptedException {
            running.set(false);
            interrupt();
            join();
        }

        synchronized double mean() {
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the SQL of each family, copied from the DAOs

    /** TokenService: every authenticated request looks its token up. */
    private static final String TOKEN = "SELECT * FROM issued_token WHERE jti = :jti";
    /** SessionDao.find */
    private static final String FIND = "SELECT * FROM upload_session WHERE id = :id";
    /** ChunkDao.find: the last chunk of a resumed session. */
    private static final String CHUNK = "SELECT * FROM upload_chunk WHERE session_id = :sessionId AND chunk_number = :chunkNumber";
    /** SessionDao.latestOpen */
    private static final String LATEST_OPEN = """
            SELECT * FROM upload_session
            WHERE owner = :owner AND filename = :filename AND state = 'OPEN' AND protocol = :protocol
              AND expires_at > :now
            ORDER BY updated_at DESC
            LIMIT 1
            """;
    /** SessionQueries.listOpenWithLastChunk */
    private static final String LIST_OPEN = """
            SELECT s.*, c.chunk_number AS c_number, c.chunk_offset AS c_offset, c.size_bytes AS c_size,
                   c.md5 AS c_md5, c.received_at AS c_received_at
            FROM upload_session s
            LEFT JOIN upload_chunk c ON c.session_id = s.id AND c.chunk_number = s.max_chunk
            WHERE s.owner = :owner AND s.state = 'OPEN'
            ORDER BY s.updated_at DESC
            LIMIT :limit
            """;
    /** AdminQueries.tallies */
    private static final String TALLIES = """
            SELECT state, protocol, COUNT(*) AS sessions, COALESCE(SUM(received_bytes), 0) AS bytes
            FROM upload_session GROUP BY state, protocol
            """;
    /** AdminQueries.stalled */
    private static final String STALLED = """
            SELECT COUNT(*) AS sessions, COALESCE(SUM(received_bytes), 0) AS bytes
            FROM upload_session WHERE state = 'OPEN' AND updated_at < :idleSince
            """;
    /** AuditDao.head */
    private static final String AUDIT_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 'chain'";
    /** SessionDao.findByState: start-up recovery's batches of open sessions, in id order. */
    private static final String BY_STATE = "SELECT * FROM upload_session WHERE state = :state AND id > :afterId ORDER BY id LIMIT :limit";

    /** SessionDao.findExpired */
    private static final String EXPIRED = """
            SELECT * FROM upload_session
            WHERE state = 'OPEN' AND expires_at < :now AND completion_due_at IS NULL
            ORDER BY expires_at
            LIMIT :limit
            """;
    /** SessionDao.findCompletionDue */
    private static final String COMPLETION_DUE = """
            SELECT * FROM upload_session
            WHERE completion_due_at < :before AND state = 'OPEN'
            ORDER BY completion_due_at
            LIMIT :limit
            """;
    /** SessionDao.countOpen */
    private static final String COUNT_OPEN = "SELECT COUNT(*) FROM upload_session WHERE owner = :owner AND state IN ('OPEN', 'ASSEMBLING')";

    private Sql token() {
        return new Sql("token lookup", TOKEN, params("jti", jtiOf(uploaderToken)));
    }

    private Sql lastChunk(String sessionId) {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("SELECT max_chunk FROM upload_session WHERE id = ?")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Sql("last chunk", CHUNK, params("sessionId", sessionId, "chunkNumber", rs.getInt(1)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jtiOf(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).get("jti").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** AdminQueries.sessions, built as its Where builds it: only the filters given become part of the statement. */
    private static Sql adminSessionsSql(Map<String, Object> filter, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        if (filter.containsKey("state")) {
            where.add("state = :state");
            binds.put("state", filter.get("state"));
        }
        if (filter.containsKey("due")) {
            where.add("completion_due_at IS NOT NULL");
        }
        for (String[] f : new String[][] {{"owner", "owner = :owner"}, {"groupName", "group_name = :group_name"},
                {"protocol", "protocol = :protocol"}, {"idleSince", "updated_at < :idleSince"},
                {"createdBefore", "created_at < :createdBefore"}, {"createdAfter", "created_at >= :createdAfter"}}) {
            if (filter.containsKey(f[0])) {
                where.add(f[1]);
                binds.put(f[1].substring(f[1].indexOf(':') + 1), filter.get(f[0]));
            }
        }
        if (filter.containsKey("afterId")) {
            where.add("created_at <= :afterCreated");
            where.add("(created_at < :afterCreated OR (created_at = :afterCreated AND id < :afterId))");
            binds.put("afterCreated", filter.get("afterCreated"));
            binds.put("afterId", filter.get("afterId"));
        }
        binds.put("limit", limit);
        String sql = "SELECT * FROM upload_session" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT :limit";
        return new Sql("AdminQueries.sessions", sql, binds);
    }

    /** AdminQueries.audit, built as it builds it. */
    private static Sql auditSql(Map<String, Object> filter, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        for (String[] f : new String[][] {{"session", "session_id = :session_id"}, {"actor", "actor = :actor"},
                {"event", "event = :event"}, {"fromTime", "occurred_at >= :fromTime"}, {"toTime", "occurred_at < :toTime"}}) {
            if (filter.containsKey(f[0])) {
                where.add(f[1]);
                binds.put(f[1].substring(f[1].indexOf(':') + 1), filter.get(f[0]));
            }
        }
        boolean byTime = filter.containsKey("fromTime") || filter.containsKey("toTime");
        if (filter.containsKey("beforeSeq")) {
            if (byTime) {
                String cursorTime = "(SELECT occurred_at FROM audit_event WHERE seq = :beforeSeq)";
                where.add("occurred_at <= " + cursorTime);
                where.add("(occurred_at < " + cursorTime + " OR (occurred_at = " + cursorTime + " AND seq < :beforeSeq))");
            } else {
                where.add("seq < :beforeSeq");
            }
            binds.put("beforeSeq", filter.get("beforeSeq"));
        }
        binds.put("limit", limit);
        String sql = "SELECT * FROM audit_event" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + (byTime ? " ORDER BY occurred_at DESC, seq DESC" : " ORDER BY seq DESC") + " LIMIT :limit";
        return new Sql("AdminQueries.audit", sql, binds);
    }

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // EXPLAIN

    private static final Pattern PARAM = Pattern.compile(":([A-Za-z][A-Za-z0-9]*)");
    private static final Pattern INDEX = Pattern.compile("(Index Only Scan|Index Scan|Bitmap Index Scan)( Backward)? on (\\S+)"
            + "|(Index Only Scan|Index Scan)( Backward)? using (\\S+) on (\\S+)");
    private static final Pattern SEQ_SCAN = Pattern.compile("Seq Scan on (\\S+)");
    /** The tables a Seq Scan must never touch on a request's path (audit_head, issued_token: a row or a few). */
    private static final Set<String> BIG_TABLES = Set.of("upload_session", "audit_event", "upload_chunk");
    private static final Pattern EXEC = Pattern.compile("Execution Time: ([0-9.]+) ms");

    /**
     * Each family's statements, explained twice: as the server's first executions of a statement
     * plan it (the parameters' values known to the planner), and as PostgreSQL's generic plan, which
     * its plan cache may switch to once the driver has prepared the statement on the server (from the
     * fifth execution on one connection). Both with ANALYZE, so with their real timings.
     */
    private void explain(List<Family> families, Sample sample) throws Exception {
        List<Object[]> extra = List.of(
                new Object[] {"start-up recovery", new Sql("batch of open sessions (SessionDao.findByState)", BY_STATE,
                        params("state", "OPEN", "afterId", sample.open().get(0)[0].substring(0, 4), "limit", 500))},
                new Object[] {"sweep (every minute)", new Sql("SessionDao.findExpired", EXPIRED,
                        params("now", now, "limit", 500))},
                new Object[] {"sweep (every minute)", new Sql("SessionDao.findCompletionDue", COMPLETION_DUE,
                        params("before", now.minus(1, ChronoUnit.MINUTES), "limit", 500))},
                new Object[] {"opening a session", new Sql("SessionDao.countOpen", COUNT_OPEN, params("owner", uploader))});
        StringBuilder out = new StringBuilder();
        StringBuilder summary = new StringBuilder();
        summary.append(String.format("%-48s %-24s %-56s %9s %9s%n", "family", "statement", "index (custom plan | generic plan)",
                "custom ms", "generic ms"));
        Set<String> seqScans = new LinkedHashSet<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            String version;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                version = rs.getString(1);
            }
            out.append("# EXPLAIN (ANALYZE, BUFFERS) of each query family of bench/million.sh, on the seeded database\n");
            out.append("# ").append(version).append('\n');
            out.append("# ").append(String.format("%,d sessions, %,d audit rows, explained at %s", sample.sessions(),
                    sample.auditRows(), Instant.now().truncatedTo(ChronoUnit.SECONDS))).append("\n\n");
            List<Object[]> all = new ArrayList<>();
            for (Family f : families) {
                for (Sql sql : f.sql()) {
                    all.add(new Object[] {f.name(), sql});
                }
            }
            all.addAll(extra);
            Set<String> done = new LinkedHashSet<>();
            for (Object[] entry : all) {
                String family = (String) entry[0];
                Sql sql = (Sql) entry[1];
                String key = sql.text() + sql.params();
                if (sql.label().equals("token lookup") || sql.label().equals("audit head")) {
                    if (!done.add(sql.label())) {
                        continue;   // the same statement in every family: explained once
                    }
                    family = sql.label().equals("audit head") ? "(every audit page)" : "(every authenticated request)";
                } else if (!done.add(key)) {
                    continue;
                }
                String custom = explainCustom(c, sql);
                String generic = explainGeneric(c, sql);
                out.append("=".repeat(100)).append('\n');
                out.append("== ").append(family).append(" -- ").append(sql.label()).append('\n');
                out.append(sql.text().strip()).append('\n');
                out.append("-- parameters: ").append(sql.params()).append("\n\n");
                out.append("-- plan with the parameters' values (the server's first executions):\n").append(custom).append('\n');
                out.append("-- generic plan (plan_cache_mode = force_generic_plan; what a server-prepared statement may use):\n")
                        .append(generic).append('\n');
                summary.append(String.format("%-48s %-24s %-56s %9s %9s%n", cut(family, 48), cut(sql.label(), 24),
                        cut(indexes(custom) + " | " + indexes(generic), 56), execTime(custom), execTime(generic)));
                for (String plan : List.of(custom, generic)) {
                    Matcher m = SEQ_SCAN.matcher(plan);
                    while (m.find()) {
                        if (BIG_TABLES.contains(m.group(1))) {
                            seqScans.add(m.group(1) + " in " + family + " (" + sql.label() + ")");
                        }
                    }
                }
            }
        }
        String seq = seqScans.isEmpty() ? "no Seq Scan on upload_session, upload_chunk or audit_event in any plan\n"
                : "Seq Scans of a large table: " + String.join("; ", seqScans) + "\n";
        String text = "# Summary\n" + summary + "\n" + seq + "\n" + out;
        Files.writeString(explainFile, text);
        System.out.println();
        System.out.print(summary);
        System.out.print(seq);
        System.out.println("plans written to " + explainFile);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static String indexes(String plan) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = INDEX.matcher(plan);
        while (m.find()) {
            found.add(m.group(3) != null ? m.group(3) : m.group(6));
        }
        Matcher s = SEQ_SCAN.matcher(plan);
        while (s.find()) {
            found.add("SEQ SCAN " + s.group(1));
        }
        return found.isEmpty() ? "-" : String.join(",", found);
    }

    private static String execTime(String plan) {
        Matcher m = EXEC.matcher(plan);
        return m.find() ? m.group(1) : "?";
    }

    private static String explainCustom(Connection c, Sql sql) throws SQLException {
        List<Object> values = new ArrayList<>();
        Matcher m = PARAM.matcher(sql.text());
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            values.add(bindable(sql.params().get(m.group(1))));
            m.appendReplacement(text, "?");
        }
        m.appendTail(text);
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + text)) {
            for (int i = 0; i < values.size(); i++) {
                ps.setObject(i + 1, values.get(i));
            }
            return lines(ps.executeQuery());
        }
    }

    private static String explainGeneric(Connection c, Sql sql) throws SQLException {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(sql.text());
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            int n = names.indexOf(m.group(1));
            if (n < 0) {
                names.add(m.group(1));
                n = names.size() - 1;
            }
            m.appendReplacement(text, "\\$" + (n + 1));
        }
        m.appendTail(text);
        List<String> types = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        for (String name : names) {
            Object v = sql.params().get(name);
            if (v instanceof Instant i) {
                types.add("timestamptz");
                literals.add("'" + i + "'");
            } else if (v instanceof Integer || v instanceof Long) {
                types.add(v instanceof Integer ? "int4" : "int8");
                literals.add(v.toString());
            } else {
                types.add("varchar");
                literals.add("'" + v.toString().replace("'", "''") + "'");
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("DEALLOCATE ALL");
            st.execute("SET plan_cache_mode = force_generic_plan");
            st.execute("PREPARE bench_q" + (types.isEmpty() ? "" : "(" + String.join(", ", types) + ")") + " AS " + text);
            try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_q"
                    + (literals.isEmpty() ? "" : "(" + String.join(", ", literals) + ")"))) {
                return lines(rs);
            } finally {
                st.execute("DEALLOCATE bench_q");
                st.execute("RESET plan_cache_mode");
            }
        }
    }

    private static Object bindable(Object v) {
        return v instanceof Instant i ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : v;
    }

    private static String lines(ResultSet rs) throws SQLException {
        StringBuilder b = new StringBuilder();
        while (rs.next()) {
            b.append(rs.getString(1)).append('\n');
        }
        return b.toString();
    }
}

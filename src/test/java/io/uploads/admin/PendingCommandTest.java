package io.uploads.admin;

import static io.uploads.admin.SessionMaker.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.cli.InProcessCommand;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.db.SessionDao;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient.Library;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.SeparateJvm.Result;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §2 and §6: {@code pending [--idle-longer-than <duration>] [--owner <name>] config.yml}, in a
 * JVM of its own while the server runs on the same database, lists the open sessions of every
 * owner as a table, and only those. Two cases run the command as a user does, in a JVM of its own
 * with config.yml; the others run it in this JVM ({@link InProcessCommand}), without a JVM start each.
 */
abstract class PendingCommandTest extends AppTestBase {

    private static final Pattern COLUMNS = Pattern.compile("\\s{2,}");

    private SessionMaker make;
    private Map<String, String> env;
    private InProcessCommand cli;
    /** Fixture sessions by name. */
    private final Map<String, String> fx = new LinkedHashMap<>();

    @Override
    protected ConfigOverride[] overrides() {
        // a week-old open session must not have expired: sessions live 30 days here
        return new ConfigOverride[] {ConfigOverride.config("uploads.sessionTtl", "30 days")};
    }

    @BeforeAll
    void createSessions() {
        make = new SessionMaker(app);
        env = SeparateJvm.envOf(app);
        cli = new InProcessCommand(app);
        String pam = app.token("pam", "pam-a", "pam-b");
        String rob = app.token("rob", "rob-a");

        fx.put("fresh", make.resumables(pam, "fresh.bin", "pam-a", bytes(1000, 1), bytes(234, 2)));
        fx.put("tus45m", make.tus(pam, "tus45m.bin", "pam-b", 2000, bytes(500, 3)));
        fx.put("flow2h", make.flow(Library.FLOW, rob, "rob-a", "flow2h.bin", bytes(3000, 4), 1000, 1));
        fx.put("old8d", make.resumables(rob, "old8d.bin", "rob-a", bytes(77, 5)));
        fx.put("js1h", make.flow(Library.RESUMABLE_JS, pam, "pam-a", "js90m.bin", bytes(2500, 6), 1000, 2));
        fx.put("completed", make.completedResumables(pam, "completed.bin", "pam-a", bytes(100, 7)));
        String aborted = make.resumables(rob, "aborted.bin", "rob-a", bytes(100, 8));
        assertThat(http.delete("/files/resumables?id=" + aborted, rob).status()).isEqualTo(200);
        fx.put("aborted", aborted);
        String expired = make.tus(pam, "expired.bin", "pam-b", 900, bytes(100, 9));
        make.setInstant(expired, "expires_at", Instant.now().minusSeconds(60));
        make.expireNow();
        fx.put("expired", expired);

        make.idleFor(fx.get("tus45m"), Duration.ofMinutes(45));
        make.idleFor(fx.get("flow2h"), Duration.ofHours(2));
        make.idleFor(fx.get("old8d"), Duration.ofDays(8));
        make.idleFor(fx.get("js1h"), Duration.ofMinutes(90));
        assertThat(app.session(expired).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
    }

    @Test
    void withoutOptionsEveryOpenSessionIsListedWithItsDetailsAndNoFinishedOne() {
        Result result = SeparateJvm.command(env, "pending");

        Map<String, List<String>> rows = table(result);
        assertThat(rows.keySet()).as(result.describe()).containsExactlyInAnyOrderElementsOf(openSessionIds());
        assertThat(rows).containsKeys(fx.get("fresh"), fx.get("tus45m"), fx.get("flow2h"), fx.get("old8d"),
                fx.get("js1h"));
        assertThat(rows).doesNotContainKeys(fx.get("completed"), fx.get("aborted"), fx.get("expired"));

        assertThat(rows.get(fx.get("fresh"))).startsWith("pam", "pam-a", "resumables", "fresh.bin", "1234/?");
        assertThat(idle(rows, "fresh")).matches("\\d+s|\\d+m \\d+s");
        assertThat(rows.get(fx.get("tus45m"))).startsWith("pam", "pam-b", "tus", "tus45m.bin", "500/2000");
        assertThat(idle(rows, "tus45m")).matches("4[5-9]m \\d+s");
        assertThat(rows.get(fx.get("flow2h"))).startsWith("rob", "rob-a", "flow", "flow2h.bin", "1000/3000");
        assertThat(idle(rows, "flow2h")).matches("2h \\d+m");
        assertThat(rows.get(fx.get("old8d"))).startsWith("rob", "rob-a", "resumables", "old8d.bin", "77/?");
        assertThat(idle(rows, "old8d")).matches("8d 0h");
        assertThat(rows.get(fx.get("js1h"))).startsWith("pam", "pam-a", "resumable-js", "js90m.bin", "1500/2500");
        assertThat(idle(rows, "js1h")).matches("1h 3\\dm");
    }

    @Test
    void theTableHasAHeaderAndACountAndListsNewestFirst() {
        Result result = cli.command("pending", "--owner", "rob");

        List<String> lines = result.stdout().stream().filter(l -> !l.isBlank()).toList();
        assertThat(COLUMNS.split(lines.get(0).trim()))
                .containsExactly("ID", "OWNER", "GROUP", "PROTOCOL", "FILENAME", "RECEIVED/TOTAL", "IDLE");
        assertThat(result.lastLine()).isEqualTo("2 open session(s)");
        // flow2h was created before old8d: newest first by creation, not by activity
        assertThat(new ArrayList<>(table(result).keySet())).containsExactly(fx.get("old8d"), fx.get("flow2h"));
    }

    @Test
    void ownerNarrowsTheListToOnePrincipal() {
        assertThat(table(cli.command("pending", "--owner", "pam")).keySet())
                .containsExactlyInAnyOrder(fx.get("fresh"), fx.get("tus45m"), fx.get("js1h"));
        assertThat(table(cli.command("pending", "--owner", "nobody")).keySet()).isEmpty();
    }

    @Test
    void idleLongerThanTakesTheDurationsOperatorsType() {
        assertIdleLongerThan("1h", "flow2h", "old8d", "js1h");
        assertIdleLongerThan("PT1H", "flow2h", "old8d", "js1h");
        assertIdleLongerThan("30m", "tus45m", "flow2h", "old8d", "js1h");
        assertIdleLongerThan("7 days", "old8d");
    }

    @Test
    void ownerAndIdleLongerThanTogether() {
        Result result = cli.command("pending", "--idle-longer-than", "1h", "--owner", "pam");
        assertThat(table(result).keySet()).containsExactly(fx.get("js1h"));
        assertThat(result.lastLine()).isEqualTo("1 open session(s)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-1h", "PT-1H", "1 fortnight", "h"})
    void aBadDurationExitsNonZeroAndSaysWhy(String duration) {
        // "--option=value", so that "-1h" is taken for a value, not for an option
        Result result = cli.commandAnyExit("pending", "--idle-longer-than=" + duration);

        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        String said = String.join("\n", result.stdout()) + result.stderr();
        assertThat(said).as(result.describe()).contains("--idle-longer-than").contains(duration)
                .contains("not a duration");
        assertThat(result.stdout()).as("no table").noneMatch(l -> l.startsWith("ID "));
    }

    /**
     * A duration too long for the clock (further back than the earliest instant) is either
     * refused with a message, like any bad duration, or lists nothing: never a crash.
     */
    @ParameterizedTest
    @ValueSource(strings = {"9999999999999d", "106751991167301d", "PT9999999999999H", "3000000d"})
    void aDurationBeyondTheClocksRangeIsRefusedOrListsNothing(String duration) {
        Result result = cli.commandAnyExit("pending", "--idle-longer-than=" + duration);

        if (result.exitCode() == 0) {
            assertThat(table(result)).as(result.describe()).isEmpty();
        } else {
            assertThat(String.join("\n", result.stdout())).as(result.describe()).contains("--idle-longer-than")
                    .contains(duration);
        }
    }

    @Test
    void inAJvmOfItsOwnABadDurationExitsNonZeroAndSaysWhy() {
        Result result = SeparateJvm.commandAnyExit(env, "pending", "--idle-longer-than=soon");

        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(String.join("\n", result.stdout())).as(result.describe()).contains("--idle-longer-than")
                .contains("soon").contains("not a duration");
    }

    @Test
    void moreOpenSessionsThanOnePageOfTheQueryAreAllListedOnce() {
        // 520 sessions, seven at a time created in the same microsecond: pages of 500 end inside such a group
        Instant base = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MICROS);
        List<String> ids = new ArrayList<>();
        app.jdbi().useTransaction(h -> {
            SessionDao dao = h.attach(SessionDao.class);
            for (int i = 0; i < 520; i++) {
                String id = UUID.randomUUID().toString();
                Instant created = base.plus(i / 7, ChronoUnit.MICROS);
                dao.insert(new UploadSession(id, "bulk", "bulk-group", "bulk-" + i + ".bin", Protocol.RESUMABLES,
                        SessionState.OPEN, null, null, 0, 0, created, created, created.plus(Duration.ofDays(1)),
                        null, null, null, null, null, null, null));
                ids.add(id);
            }
        });

        Result result = cli.command("pending", "--owner", "bulk");

        List<String> listed = dataLines(result).stream().map(l -> COLUMNS.split(l.trim())[0]).toList();
        assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
        assertThat(result.lastLine()).isEqualTo("520 open session(s)");
    }

    @AfterAll
    void closeTheCommandsConnections() throws Exception {
        cli.close();
    }

    private void assertIdleLongerThan(String duration, String... expected) {
        Result result = cli.command("pending", "--idle-longer-than", duration);
        Map<String, List<String>> rows = table(result);
        Instant now = Instant.now();
        for (String id : rows.keySet()) {
            UploadSession s = app.session(id).orElseThrow();
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
            assertThat(s.updatedAt()).as(duration + ": " + id).isBefore(now.minus(IDLE.get(duration)));
        }
        List<String> fixtureRows = fx.entrySet().stream().filter(e -> rows.containsKey(e.getValue()))
                .map(Map.Entry::getKey).toList();
        assertThat(fixtureRows).as(duration + "\n" + result.describe()).containsExactlyInAnyOrder(expected);
        assertThat(result.lastLine()).isEqualTo(rows.size() + " open session(s)");
    }

    private static final Map<String, Duration> IDLE = Map.of("1h", Duration.ofHours(1), "PT1H",
            Duration.ofHours(1), "30m", Duration.ofMinutes(30), "7 days", Duration.ofDays(7));

    /** The table's rows by session id: the other columns in order. */
    private static Map<String, List<String>> table(Result result) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : dataLines(result)) {
            String[] columns = COLUMNS.split(line.trim());
            assertThat(columns).as(line).hasSize(7);
            assertThat(rows.put(columns[0], List.of(columns).subList(1, 7))).as("listed twice: " + columns[0]).isNull();
        }
        assertThat(result.lastLine()).isEqualTo(rows.size() + " open session(s)");
        return rows;
    }

    /** The lines between the header and the count. */
    private static List<String> dataLines(Result result) {
        List<String> lines = result.stdout().stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(0)).as(result.describe()).startsWith("ID ");
        return lines.subList(1, lines.size() - 1);
    }

    private String idle(Map<String, List<String>> rows, String name) {
        return rows.get(fx.get(name)).get(5);
    }

    private List<String> openSessionIds() {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT id FROM upload_session WHERE state = 'OPEN'")
                .mapTo(String.class).list());
    }
}

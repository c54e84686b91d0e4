package io.uploads.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.uploads.core.Actor;
import io.uploads.core.Caller;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the pages stand on without a browser: both pages and their assets served from the jar
 * under the content security policy, beside the admin API they share a path with; and the two
 * endpoints of the dashboard, the audit verification and the uploads per hour.
 */
abstract class DashboardApiTest extends AppTestBase {

    private String admin;
    private String alice;

    @BeforeAll
    void issueTokens() {
        admin = app.tokens().issue("root", List.of("admin-group"), Set.of(Caller.UPLOADER, Caller.ADMIN),
                Duration.ofHours(1), Actor.cli("test")).token();
        alice = app.token("alice", "alice-group");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/admin"})
    void eachPageIsHtmlThatMayLoadNothingFromAnotherOrigin(String path) {
        Reply page = http.get(path, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(header(page, "Content-Type")).startsWith("text/html");
        assertThat(header(page, "Content-Security-Policy")).startsWith("default-src 'self';");
        assertThat(page.body()).contains("<!doctype html>").doesNotContain("<script>").doesNotContain("style=")
                .doesNotContain("//cdn").doesNotContain("https://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/vendor/tus.min.js", "/assets/vendor/uPlot.iife.min.js",
            "/assets/vendor/uPlot.min.css", "/assets/upload.js", "/assets/dashboard.js", "/assets/session.js",
            "/assets/site.css"})
    void theScriptsStylesAndLibrariesAreServedFromTheJar(String path) {
        Reply asset = http.get(path, null);
        assertThat(asset.status()).isEqualTo(200);
        assertThat(header(asset, "Content-Type")).startsWith(path.endsWith(".css") ? "text/css" : "text/javascript");
        assertThat(header(asset, "X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(asset.body()).isNotBlank();
    }

    @Test
    void theAdminApiBesideTheDashboardStillAnswersJson() {
        assertThat(http.get("/admin/uploads", null).status()).isEqualTo(401);
        assertThat(http.get("/admin/uploads", alice).status()).isEqualTo(403);
        Reply list = http.get("/admin/uploads", admin);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().has("items")).isTrue();
        assertThat(http.get("/assets/nothing-here.js", null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/admin/audit/verify", "/admin/uploads/history"})
    void theDashboardsOwnEndpointsAreForAdministratorsOnly(String path) {
        assertThat(http.get(path, null).status()).isEqualTo(401);
        assertThat(http.get(path, alice).status()).isEqualTo(403);
        assertThat(http.get(path, admin).status()).isEqualTo(200);
    }

    @Test
    void theVerificationRecomputesTheChainAndNamesItsHead() {
        assertThat(http.put("/files/stream/verified.bin", alice, TestFiles.randomBytes(100, 1)).status())
                .isEqualTo(201);
        JsonNode head = http.get("/admin/audit?limit=1", admin).json().get("head");

        JsonNode v = http.get("/admin/audit/verify", admin).json();
        assertThat(v.get("intact").asBoolean()).isTrue();
        assertThat(v.get("problem").isNull()).isTrue();
        assertThat(v.get("head_seq").asLong()).isGreaterThanOrEqualTo(head.get("seq").asLong());
        assertThat(v.get("rows").asLong()).isEqualTo(v.get("head_seq").asLong());
        assertThat(v.get("head_hash").asText()).hasSize(64);
        assertThat(Instant.parse(v.get("checked_at").asText())).isCloseTo(Instant.now(), within());

        JsonNode expected = http.get("/admin/audit/verify?expect_head=" + head.get("hash").asText(), admin).json();
        assertThat(expected.get("intact").asBoolean()).isTrue();
    }

    @Test
    void aHeadRecordedElsewhereThatNoRowCarriesIsReportedBroken() {
        JsonNode v = http.get("/admin/audit/verify?expect_head=" + "0".repeat(64), admin).json();
        assertThat(v.get("intact").asBoolean()).isFalse();
        assertThat(v.get("problem").asText()).contains("no row carries the expected head");
    }

    @Test
    void anEditedAuditRowIsReportedWithItsSeq() {
        String actor = app.jdbi().withHandle(h -> h.createQuery("SELECT actor FROM audit_event WHERE seq = 1")
                .mapTo(String.class).one());
        try {
            app.jdbi().useHandle(h -> h.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = 1"));
            JsonNode v = http.get("/admin/audit/verify", admin).json();
            assertThat(v.get("intact").asBoolean()).isFalse();
            assertThat(v.get("problem").asText()).startsWith("row 1 does not match its hash");
        } finally {
            app.jdbi().useHandle(h -> h.execute("UPDATE audit_event SET actor = ? WHERE seq = 1", actor));
        }
        assertThat(http.get("/admin/audit/verify", admin).json().get("intact").asBoolean()).isTrue();
    }

    @Test
    void completedUploadsAreCountedInTheHourTheyCompletedAndOpenOnesAreNot() {
        JsonNode before = lastHour(http.get("/admin/uploads/history?hours=2", admin).json());
        assertThat(http.put("/files/stream/hour-1.bin", alice, TestFiles.randomBytes(1000, 2)).status()).isEqualTo(201);
        assertThat(http.put("/files/stream/hour-2.bin", alice, TestFiles.randomBytes(234, 3)).status()).isEqualTo(201);
        assertThat(http.patch("/files/stream/still-open.bin?chunk=1", alice, TestFiles.randomBytes(5000, 4)).status())
                .isEqualTo(201);

        JsonNode history = http.get("/admin/uploads/history?hours=2", admin).json();
        JsonNode hours = history.get("hours");
        assertThat(hours).hasSize(2);
        Instant thisHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        JsonNode after = lastHour(history);
        if (Instant.parse(after.get("hour").asText()).equals(Instant.parse(before.get("hour").asText()))) {
            assertThat(after.get("uploads").asLong() - before.get("uploads").asLong()).isEqualTo(2);
            assertThat(after.get("bytes").asLong() - before.get("bytes").asLong()).isEqualTo(1234);
        }
        assertThat(Instant.parse(after.get("hour").asText())).isIn(thisHour, thisHour.minus(Duration.ofHours(1)));
        assertThat(Instant.parse(hours.get(0).get("hour").asText()))
                .isEqualTo(Instant.parse(after.get("hour").asText()).minus(Duration.ofHours(1)));
        assertThat(http.get("/admin/uploads/history", admin).json().get("hours")).hasSize(24);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "169", "-1", "a day", "1.5"})
    void historyOutsideOneHourToAWeekIs400(String hours) {
        Reply reply = http.get("/admin/uploads/history?hours=" + hours.replace(" ", "%20"), admin);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.text("message")).contains("hours must be a number from 1 to 168");
    }

    private static JsonNode lastHour(JsonNode history) {
        JsonNode hours = history.get("hours");
        return hours.get(hours.size() - 1);
    }

    private static org.assertj.core.data.TemporalUnitOffset within() {
        return new org.assertj.core.data.TemporalUnitWithinOffset(1, ChronoUnit.MINUTES);
    }

    private static String header(Reply reply, String name) {
        return reply.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
}

package io.uploads.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.core.Actor;
import io.uploads.core.Caller;
import io.uploads.core.SessionState;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Browser;
import io.uploads.testing.Http;
import io.uploads.testing.RequiresBrowser;
import io.uploads.testing.TestDatabase;
import io.uploads.testing.TestFiles;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The dashboard in a real browser: an administrator sees and aborts another principal's pending
 * upload, stalled ones are marked, the audit chain's verification and head are shown; an uploader's
 * token sees nothing of other owners. H2 only, like every browser test.
 */
@RequiresBrowser
class DashboardBrowserTest extends AppTestBase {

    private Browser browser;
    private String adminToken;

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {ConfigOverride.config("operations.stalledAfter", "2 seconds")};
    }

    @BeforeEach
    void openBrowser() {
        adminToken = app.tokens().issue("root", List.of("admin-group"), Set.of(Caller.UPLOADER, Caller.ADMIN),
                Duration.ofHours(1), Actor.cli("test")).token();
        browser = Browser.start();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void anAdministratorSeesAnotherOwnersPendingUploadAndAbortsItAfterConfirming() throws Exception {
        String id = pendingTusUpload(app.token("bob", "research"), "bob-data.csv", 1000, 400);
        String carol = app.token("carol", "survey");
        assertThat(app.http().patch("/files/stream/answers-2026.zip?chunk=1", carol, TestFiles.randomBytes(70_000, 8))
                .status()).isEqualTo(201);
        String other = pendingTusUpload(carol, "interviews.tar", 9_000_000, 6_000_000);

        open(adminToken);
        WebElement row = pendingRow(id);
        pendingRow(other);
        if (Browser.screenshotsWanted()) {
            // the totals are recounted every 10 seconds: picture them agreeing with the list
            for (int i = 0; i < 15 && !browser.find("#open-count").getText().equals("4"); i++) {
                Thread.sleep(1000);
                browser.find("#refresh").click();
            }
            row = pendingRow(id);
        }
        browser.screenshot("dashboard", 1280);
        assertThat(row.findElement(By.cssSelector(".owner")).getText()).isEqualTo("bob");
        assertThat(row.findElement(By.cssSelector(".filename")).getText()).isEqualTo("bob-data.csv");
        assertThat(row.findElement(By.cssSelector(".protocol")).getText()).isEqualTo("tus");
        // WebDriver reads the page's no-break spaces as spaces
        assertThat(row.findElement(By.cssSelector(".received")).getText()).isEqualTo("400 B of 1000 B");
        assertThat(row.findElement(By.cssSelector("progress")).getDomProperty("value")).isEqualTo("400");

        row.findElement(By.cssSelector(".abort")).click();
        Alert question = browser.await(5, ExpectedConditions.alertIsPresent());
        assertThat(question.getText().replace('\u00a0', ' ')).contains("bob-data.csv", "bob", "400 B");
        question.dismiss();
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.OPEN);

        row.findElement(By.cssSelector(".abort")).click();
        browser.await(5, ExpectedConditions.alertIsPresent()).accept();
        browser.await(10, d -> browser.findAll("#pending tbody tr[data-id='" + id + "']").isEmpty());

        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.ABORTED);
        assertThat(app.session(other).orElseThrow().state()).isEqualTo(SessionState.OPEN);
        assertThat(browser.findAll("#pending tbody tr[data-id='" + other + "']")).hasSize(1);
        Http.Reply audit = app.http().get("/admin/audit?session=" + id + "&event=session_aborted", adminToken);
        assertThat(audit.json().get("items").get(0).get("actor").asText()).isEqualTo("root");
        browser.await(10, d -> browser.find("#audit tbody").getText().contains("session_aborted"));
        PageAssertions.stayedAtOrigin(browser, browser.requests(), app.baseUrl(), adminToken);
    }

    @Test
    void anUploadIdleLongerThanTheStalledThresholdIsMarkedStalled() throws Exception {
        String id = pendingTusUpload(app.token("carol", "research"), "slow.bin", 5000, 10);
        Thread.sleep(2500);   // operations.stalledAfter is 2 seconds here

        open(adminToken);
        WebElement row = pendingRow(id);
        assertThat(row.getDomAttribute("class")).contains("stalled");
        assertThat(row.findElement(By.cssSelector(".stalled-mark")).isDisplayed()).isTrue();

        browser.find("#filters input[name=owner]").sendKeys("nobody-at-all");
        browser.find("#filters button[type=submit]").click();
        browser.await(10, d -> browser.find("#pending-empty").isDisplayed());
        browser.find("#filters button[type=reset]").click();
        pendingRow(id);
    }

    @Test
    void theDashboardShowsTotalsAChartAndTheVerifiedAuditHead() throws Exception {
        String alice = app.token("alice", "alice-group");
        assertThat(app.http().put("/files/stream/done.bin?group=alice-group", alice,
                TestFiles.randomBytes(4096, 7)).status()).isEqualTo(201);

        open(adminToken);
        browser.await(15, d -> browser.find("#verification").getDomAttribute("class").contains("intact"));
        String head = app.http().get("/admin/audit?limit=1", adminToken).json().get("head").get("hash").asText();
        assertThat(browser.find("#verify-head").getText()).contains(head);
        assertThat(browser.find("#verify-state").getText()).startsWith("\u2714 Chain intact");
        assertThat(browser.findAll("#chart canvas")).isNotEmpty();
        assertThat(browser.find("#chart-summary").getText()).startsWith("1 upload completed, 4.0 KiB");
        assertThat(browser.find("#by-state tbody").getText()).contains("COMPLETED");
        assertThat(browser.findAll("#audit tbody tr")).isNotEmpty();
        PageAssertions.stayedAtOrigin(browser, browser.requests(), app.baseUrl(), adminToken);
    }

    @Test
    void anUploadersTokenIsRefusedAndSeesNothingOfOtherOwners() throws Exception {
        pendingTusUpload(app.token("bob", "research"), "bobs-secret.csv", 1000, 100);
        String alice = app.token("alice", "alice-group");

        open(alice);
        browser.await(10, d -> browser.find("#forbidden").isDisplayed());
        assertThat(browser.find("#forbidden").getText()).contains("403");
        assertThat(browser.find("#dashboard").isDisplayed()).isFalse();
        assertThat(browser.driver().getPageSource()).doesNotContain("bobs-secret.csv").doesNotContain("bob");
        assertThat(app.http().get("/admin/uploads", alice).status()).isEqualTo(403);
        PageAssertions.stayedAtOrigin(browser, browser.requests(), app.baseUrl(), alice);
    }

    private void open(String token) {
        browser.open(app.baseUrl() + "/admin#token=" + token);
        browser.await(10, d -> browser.find("#who").isDisplayed());
    }

    private WebElement pendingRow(String id) {
        return browser.await(15, d -> browser.findAll("#pending tbody tr[data-id='" + id + "']").stream()
                .findFirst().orElse(null));
    }

    /** A tus upload of {@code total} declared bytes of which the first {@code sent} arrived; its id. */
    private String pendingTusUpload(String token, String filename, int total, int sent) {
        Http.Reply created = app.http().send("POST", "/files/tus", token,
                BodyPublishers.ofByteArray(TestFiles.randomBytes(sent, 9)), Map.of(
                        "Tus-Resumable", "1.0.0",
                        "Upload-Length", Integer.toString(total),
                        "Upload-Metadata", "filename " + Base64.getEncoder().encodeToString(
                                filename.getBytes(StandardCharsets.UTF_8)),
                        "Content-Type", "application/offset+octet-stream"));
        assertThat(created.status()).isEqualTo(201);
        String location = created.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Location"))
                .findFirst().orElseThrow().getValue().get(0);
        return location.substring(location.lastIndexOf('/') + 1);
    }
}

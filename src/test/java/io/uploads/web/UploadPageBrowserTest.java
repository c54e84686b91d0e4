package io.uploads.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Await;
import io.uploads.testing.Browser;
import io.uploads.testing.RequiresBrowser;
import io.uploads.testing.TestDatabase;
import io.uploads.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.chromium.HasNetworkConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The upload page in a real browser: the real tus-js-client, served by the service, sends files
 * chosen in the page; the bytes on disk, the chunk rows and the requests the browser sent are
 * compared with what was chosen. H2 only: the page exercises the same core as the protocol tests,
 * which run on both databases.
 */
@RequiresBrowser
class UploadPageBrowserTest extends AppTestBase {

    private Browser browser;
    private String token;

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }

    @BeforeEach
    void openBrowser() {
        token = app.token("alice", "alice-group", "shared");
        browser = Browser.start();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aFileChosenInThePageIsStoredByteForByteWithItsPathAndSha256Shown() throws Exception {
        Path file = TestFiles.randomFile(Files.createDirectories(tmp.resolve("one")).resolve("report one.bin"),
                3_000_000, 1);

        signIn("/?chunkSize=1048576");
        new Select(browser.find("#group")).selectByValue("shared");
        browser.find("#files").sendKeys(file.toString());
        WebElement row = awaitDone("report one.bin");

        assertThat(row.findElement(By.cssSelector(".path")).getText())
                .isEqualTo("files/shared/report one.bin");
        assertThat(row.findElement(By.cssSelector(".sha256")).getText())
                .isEqualTo(TestFiles.sha256(file));
        assertThat(Files.readAllBytes(app.storage().resolve("files/shared/report one.bin")))
                .isEqualTo(Files.readAllBytes(file));
        assertNothingLeftTheOriginAndNoUrlCarriedTheToken();
    }

    @Test
    void severalFilesChosenAtOnceAreEachStoredInTheChosenGroup() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("several"));
        List<Path> files = List.of(
                TestFiles.randomFile(dir.resolve("a.bin"), 2_500_000, 2),
                TestFiles.randomFile(dir.resolve("b.bin"), 700_001, 3),
                TestFiles.randomFile(dir.resolve("c.bin"), 1, 4),
                Files.write(dir.resolve("empty.txt"), new byte[0]));

        signIn("/?chunkSize=524288");
        new Select(browser.find("#group")).selectByValue("alice-group");
        browser.find("#files").sendKeys(String.join("\n", files.stream().map(Path::toString).toList()));

        for (Path f : files) {
            String name = f.getFileName().toString();
            WebElement row = awaitDone(name);
            assertThat(row.findElement(By.cssSelector(".sha256")).getText())
                    .isEqualTo(TestFiles.sha256(f));
            assertThat(Files.readAllBytes(app.storage().resolve("files/alice-group/" + name)))
                    .as(name).isEqualTo(Files.readAllBytes(f));
        }
        assertThat(browser.findAll("#list .file")).hasSize(files.size());
        browser.screenshot("upload-page", 1000);
        List<Browser.Request> sent = browser.requests();
        // a file of at most one chunk (and 1 MiB) travels in the POST that creates its upload; a larger one in PATCHes
        String oneByte = session("c.bin").orElseThrow().id();
        String larger = session("b.bin").orElseThrow().id();
        assertThat(sent).noneMatch(r -> r.method().equals("PATCH") && r.url().endsWith("/files/tus/" + oneByte));
        assertThat(sent).filteredOn(r -> r.method().equals("PATCH") && r.url().endsWith("/files/tus/" + larger))
                .hasSize(2);
        PageAssertions.stayedAtOrigin(browser, sent, app.baseUrl(), token);
    }

    /**
     * The page is reloaded while a PATCH is on its way: the same file chosen again continues the
     * same upload from the offset the server holds, and every byte is received exactly once.
     */
    @Test
    void anUploadBrokenByAReloadContinuesWhenTheSameFileIsChosenAgainSendingOnlyTheRest() throws Exception {
        int chunk = 256 * 1024;
        long size = 6L * 1024 * 1024 + 12_345;
        Path file = TestFiles.randomFile(Files.createDirectories(tmp.resolve("reload")).resolve("big.bin"), size, 5);

        signIn("/?chunkSize=" + chunk);
        new Select(browser.find("#group")).selectByValue("alice-group");
        // each request takes a while, so that the reload surely comes in the middle
        ((HasNetworkConditions) browser.driver()).setNetworkConditions(
                new ChromiumNetworkConditions().setLatency(Duration.ofMillis(150)));
        browser.find("#files").sendKeys(file.toString());
        Await.until("a third of the upload", () -> session("big.bin").map(s -> s.receivedBytes() > size / 3)
                .orElse(false));
        browser.screenshot("upload-page-progress", 1000);

        browser.driver().navigate().refresh();
        ((HasNetworkConditions) browser.driver()).deleteNetworkConditions();
        browser.await(10, d -> browser.find("#uploader").isDisplayed());
        String id = session("big.bin").orElseThrow().id();
        long reached = settledOffset(id);
        assertThat(reached).isBetween(1L, size - 1);
        browser.requests();   // forget what was sent before the reload

        browser.find("#files").sendKeys(file.toString());
        awaitDone("big.bin");

        assertContinuedWithOnlyTheRest(id, reached, file);
    }

    @Test
    void aPausedUploadSendsNothingUntilResumedThenOnlyTheRest() throws Exception {
        long size = 4L * 1024 * 1024 + 1;
        Path file = TestFiles.randomFile(Files.createDirectories(tmp.resolve("pause")).resolve("paused.bin"), size, 6);

        signIn("/?chunkSize=" + 256 * 1024);
        new Select(browser.find("#group")).selectByValue("alice-group");
        ((HasNetworkConditions) browser.driver()).setNetworkConditions(
                new ChromiumNetworkConditions().setLatency(Duration.ofMillis(150)));
        browser.find("#files").sendKeys(file.toString());
        Await.until("a quarter of the upload", () -> session("paused.bin").map(s -> s.receivedBytes() > size / 4)
                .orElse(false));

        WebElement row = row("paused.bin");
        row.findElement(By.cssSelector(".pause")).click();
        browser.await(5, d -> row.findElement(By.cssSelector(".state")).getText().equals("Paused"));
        assertThat(row.findElement(By.cssSelector(".pause")).getText()).isEqualTo("Resume");
        String id = session("paused.bin").orElseThrow().id();
        long reached = settledOffset(id);
        Thread.sleep(1000);
        assertThat(app.session(id).orElseThrow().receivedBytes()).as("nothing is sent while paused")
                .isEqualTo(reached);
        assertThat(reached).isBetween(1L, size - 1);
        browser.requests();

        ((HasNetworkConditions) browser.driver()).deleteNetworkConditions();
        row.findElement(By.cssSelector(".pause")).click();
        awaitDone("paused.bin");
        assertContinuedWithOnlyTheRest(id, reached, file);
    }

    @Test
    void anUploadThatLostTheNetworkGoesOnByItselfWhenTheNetworkIsBack() throws Exception {
        long size = 4L * 1024 * 1024 + 2;
        Path file = TestFiles.randomFile(Files.createDirectories(tmp.resolve("offline")).resolve("offline.bin"), size, 7);

        signIn("/?chunkSize=" + 256 * 1024);
        new Select(browser.find("#group")).selectByValue("alice-group");
        HasNetworkConditions network = (HasNetworkConditions) browser.driver();
        network.setNetworkConditions(new ChromiumNetworkConditions().setLatency(Duration.ofMillis(150)));
        browser.find("#files").sendKeys(file.toString());
        Await.until("a quarter of the upload", () -> session("offline.bin").map(s -> s.receivedBytes() > size / 4)
                .orElse(false));

        network.setNetworkConditions(new ChromiumNetworkConditions().setOffline(true));
        WebElement row = row("offline.bin");
        browser.await(20, d -> row.findElement(By.cssSelector(".state")).getText().equals("Waiting for the network"));
        String id = session("offline.bin").orElseThrow().id();
        long reached = settledOffset(id);
        browser.requests();

        network.deleteNetworkConditions();
        awaitDone("offline.bin");
        assertContinuedWithOnlyTheRest(id, reached, file);
    }

    @Test
    void theTokenInTheFragmentMovesToSessionStorageAndLeavesTheAddressBar() {
        signIn("/");
        assertThat(browser.driver().getCurrentUrl()).isEqualTo(app.baseUrl() + "/");
        assertThat(browser.script("return sessionStorage.getItem('uploads.token')")).isEqualTo(token);
        assertThat(browser.find("#who-name").getText()).isEqualTo("alice");
        assertThat(new Select(browser.find("#group")).getOptions()).extracting(WebElement::getText)
                .containsExactly("alice-group", "shared");
        assertNothingLeftTheOriginAndNoUrlCarriedTheToken();
    }

    /**
     * Since {@code reached}, the browser sent only the rest of the same upload (a HEAD, then PATCHes
     * from {@code reached} on, no new upload), and the session's chunk rows cover the file exactly
     * once, so every byte was received once; the stored file is the chosen one.
     */
    private void assertContinuedWithOnlyTheRest(String id, long reached, Path file) throws Exception {
        long size = Files.size(file);
        List<Browser.Request> requests = browser.requests();
        PageAssertions.stayedAtOrigin(browser, requests, app.baseUrl(), token);
        List<Browser.Request> tus = requests.stream().filter(r -> r.url().contains("/files/tus")).toList();
        assertThat(tus).noneMatch(r -> r.method().equals("POST"));
        assertThat(tus).anyMatch(r -> r.method().equals("HEAD") && r.url().endsWith("/files/tus/" + id));
        List<Long> offsets = tus.stream().filter(r -> r.method().equals("PATCH"))
                .peek(r -> assertThat(r.url()).endsWith("/files/tus/" + id))
                .map(r -> Long.parseLong(r.header("Upload-Offset"))).toList();
        assertThat(offsets).isNotEmpty().startsWith(reached).isSorted();

        UploadSession done = app.session(id).orElseThrow();
        assertThat(done.state()).isEqualTo(SessionState.COMPLETED);
        List<Chunk> chunks = app.chunks(id).stream().sorted(Comparator.comparingLong(Chunk::chunkOffset)).toList();
        long next = 0;
        for (Chunk c : chunks) {
            assertThat(c.chunkOffset()).as("chunk %d starts where the one before ended", c.chunkNumber())
                    .isEqualTo(next);
            next += c.sizeBytes();
        }
        assertThat(next).isEqualTo(size);
        assertThat(chunks.stream().filter(c -> c.chunkOffset() >= reached).mapToLong(Chunk::sizeBytes).sum())
                .as("bytes received after the interruption").isEqualTo(size - reached);
        assertThat(Files.readAllBytes(app.storage().resolve(done.finalPath()))).isEqualTo(Files.readAllBytes(file));
    }

    private WebElement row(String name) {
        return browser.await(10, d -> browser.findAll("#list .file").stream()
                .filter(r -> r.findElement(By.cssSelector(".name")).getText().equals(name)).findFirst().orElse(null));
    }

    @Test
    void aTokenTypedIntoTheFieldSignsInFromTheKeyboardAndOneTheServiceRefusesIsSentBack() {
        browser.open(app.baseUrl() + "/");
        WebElement field = browser.await(10, d -> browser.find("#token").isDisplayed() ? browser.find("#token") : null);
        assertThat(browser.driver().switchTo().activeElement()).isEqualTo(field);

        String forged = "eyJhbGciOiJIUzI1NiJ9." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"mallory\",\"groups\":[\"shared\"]}".getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
        field.sendKeys(forged, Keys.ENTER);
        browser.await(10, d -> browser.find("#sign-in-error").isDisplayed());
        assertThat(browser.find("#sign-in-error").getText()).contains("refused this token");
        assertThat(browser.script("return sessionStorage.getItem('uploads.token')")).isNull();

        browser.find("#token").sendKeys("not a token", Keys.ENTER);
        assertThat(browser.find("#sign-in-error").getText()).contains("not a token of this service");

        browser.driver().switchTo().activeElement().sendKeys(token, Keys.ENTER);
        browser.await(10, d -> browser.find("#uploader").isDisplayed());
        assertThat(browser.find("#who-name").getText()).isEqualTo("alice");
        assertThat(browser.find("#sign-in").isDisplayed()).isFalse();

        browser.find("#sign-out").sendKeys(Keys.ENTER);
        browser.await(10, d -> browser.find("#token").isDisplayed());
        assertThat(browser.script("return sessionStorage.getItem('uploads.token')")).isNull();
        assertNothingLeftTheOriginAndNoUrlCarriedTheToken();
    }

    private void signIn(String pathAndQuery) {
        browser.open(app.baseUrl() + pathAndQuery + "#token=" + token);
        browser.await(10, d -> browser.find("#uploader").isDisplayed());
    }

    /** The file's row once it says Done; fails after a minute. */
    private WebElement awaitDone(String name) {
        return browser.await(60, d -> browser.findAll("#list .file").stream()
                .filter(r -> r.findElement(By.cssSelector(".name")).getText().equals(name))
                .filter(r -> {
                    String state = r.findElement(By.cssSelector(".state")).getText();
                    assertThat(state).doesNotStartWith("Stopped");
                    return r.getDomAttribute("class").contains("done");
                })
                .findFirst().orElse(null));
    }

    private Optional<UploadSession> session(String filename) {
        return app.jdbi().withHandle(h -> h.createQuery(
                        "SELECT id FROM upload_session WHERE owner = 'alice' AND filename = :f ORDER BY created_at DESC")
                .bind("f", filename).mapTo(String.class).findFirst()).flatMap(app::session);
    }

    /** The session's offset once the server has finished with the request the reload broke. */
    private long settledOffset(String id) throws InterruptedException {
        long[] last = {-1};
        int[] same = {0};
        Await.until("the broken request to settle", () -> {
            long now = app.session(id).orElseThrow().receivedBytes();
            same[0] = now == last[0] ? same[0] + 1 : 0;
            last[0] = now;
            return same[0] >= 10;
        });
        return last[0];
    }

    private void assertNothingLeftTheOriginAndNoUrlCarriedTheToken() {
        PageAssertions.stayedAtOrigin(browser, browser.requests(), app.baseUrl(), token);
    }
}

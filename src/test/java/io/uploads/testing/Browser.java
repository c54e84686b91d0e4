package io.uploads.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by its chromedriver, both named explicitly so that Selenium
 * Manager never looks for (or downloads) a browser; a fresh profile each time, removed on close.
 * Chrome's performance log records every request the pages make, for {@link #requests()}.
 */
public final class Browser implements AutoCloseable {

    /** Debian's packages chromium and chromium-driver; the properties exist to try a build without them. */
    public static final Path CHROMIUM = Path.of(System.getProperty("uploads.test.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER =
            Path.of(System.getProperty("uploads.test.chromedriver", "/usr/bin/chromedriver"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Browser(Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public static Browser start() {
        Path profile;
        try {
            profile = Files.createTempDirectory("uploads-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return new Browser(profile, service, new ChromeDriver(service, options));
        } catch (RuntimeException e) {
            service.stop();
            TestFiles.deleteRecursively(profile);
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Waits up to {@code seconds} for {@code condition} to give something other than null or false. */
    public <T> T await(int seconds, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(50)).until(condition);
    }

    /**
     * A request the browser sent: its method, URL, request headers (names as sent) and the URL of the
     * document that made it.
     */
    public record Request(String method, String url, Map<String, String> headers, String documentUrl) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
    }

    /** Every request sent since the last call (Chrome's performance log is read and emptied). */
    public List<Request> requests() {
        List<Request> requests = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            try {
                JsonNode message = JSON.readTree(entry.getMessage()).path("message");
                if (!"Network.requestWillBeSent".equals(message.path("method").asText())) {
                    continue;
                }
                JsonNode request = message.path("params").path("request");
                Map<String, String> headers = new java.util.LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = request.path("headers").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> h = it.next();
                    headers.put(h.getKey(), h.getValue().asText());
                }
                requests.add(new Request(request.path("method").asText(), request.path("url").asText(), headers,
                        message.path("params").path("documentURL").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return requests;
    }

    /**
     * With {@code -Duploads.screenshots=<dir>} (README, "Web pages"), saves the whole page as
     * {@code <dir>/<name>.png}, {@code width} pixels wide; otherwise does nothing.
     */
    public void screenshot(String name, int width) {
        if (!screenshotsWanted()) {
            return;
        }
        String dir = System.getProperty("uploads.screenshots");
        Dimension before = driver.manage().window().getSize();
        try {
            driver.manage().window().setSize(new Dimension(width, 600));
            long height = (Long) script("return document.documentElement.scrollHeight"
                    + " + window.outerHeight - window.innerHeight");
            driver.manage().window().setSize(new Dimension(width, (int) height));
            Path target = Files.createDirectories(Path.of(dir)).resolve(name + ".png");
            Files.write(target, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    public static boolean screenshotsWanted() {
        String dir = System.getProperty("uploads.screenshots");
        return dir != null && !dir.isBlank();
    }

    /** What the pages wrote to the console since the last call, refusals of the security policy included. */
    public List<String> consoleMessages() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList();
    }

    /** The URLs of every resource the current page loaded or requested, as the page itself saw them. */
    @SuppressWarnings("unchecked")
    public List<String> resourceUrls() {
        return (List<String>) script("return performance.getEntries().map(e => e.name)"
                + ".filter(n => /^[a-z]+:/.test(n))");
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            TestFiles.deleteRecursively(profile);
        }
    }
}

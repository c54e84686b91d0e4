package io.uploads.testing;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.uploads.Services;
import io.uploads.UploadServiceApplication;
import io.uploads.core.Actor;
import io.uploads.db.TokenQueries;
import io.uploads.ledger.Ledger;
import io.uploads.UploadServiceConfiguration;
import io.uploads.auth.TokenService;
import io.uploads.core.Caller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import io.uploads.core.Chunk;
import io.uploads.core.UploadSession;
import io.uploads.db.ChunkDao;
import io.uploads.db.SessionDao;
import org.jdbi.v3.core.Jdbi;

/**
 * The whole service over real HTTP on random ports, on a {@link TestDatabase} and a storage
 * directory of its own. Can be stopped and started again over the same database and storage.
 */
public final class TestApp implements AutoCloseable {

    private final TestDatabase database;
    private final Path storage;
    private final DropwizardTestSupport<UploadServiceConfiguration> support;
    private Jdbi jdbi;

    public TestApp(TestDatabase database, Path storage, ConfigOverride... extra) {
        this.database = database;
        this.storage = storage;
        List<ConfigOverride> overrides = new ArrayList<>(List.of(
                ConfigOverride.config("database.url", database.url()),
                ConfigOverride.config("database.user", database.user()),
                ConfigOverride.config("storage.directory", storage.toString())));
        overrides.addAll(List.of(extra));
        this.support = new DropwizardTestSupport<>(UploadServiceApplication.class,
                ResourceHelpers.resourceFilePath("test-config.yml"), overrides.toArray(ConfigOverride[]::new));
    }

    /** Starts the service; a failure to start is a test failure. */
    public static TestApp start(TestDatabase database, Path storage, ConfigOverride... extra) {
        TestApp app = new TestApp(database, storage, extra);
        app.start();
        return app;
    }

    public void start() {
        try {
            support.before();
        } catch (Exception e) {
            throw new IllegalStateException("service did not start", e);
        }
    }

    public void stop() {
        support.after();
    }

    public void restart() {
        stop();
        start();
    }

    public String baseUrl() {
        return "http://localhost:" + support.getLocalPort();
    }

    public String adminUrl() {
        return "http://localhost:" + support.getAdminPort();
    }

    public Http http() {
        return new Http(baseUrl());
    }

    public Path storage() {
        return storage;
    }

    /** The bytes of unfinished sessions in this service's storage, for assertions and crash leftovers. */
    public StorageFixture storageFixture() {
        return new StorageFixture(storage);
    }

    public TestDatabase database() {
        return database;
    }

    public UploadServiceConfiguration config() {
        return support.getConfiguration();
    }

    /** A connection pool of the test's own onto the service's database, for assertions. */
    public synchronized Jdbi jdbi() {
        if (jdbi == null) {
            jdbi = database.jdbi();
        }
        return jdbi;
    }

    /** The session's row as the database holds it now. */
    public Optional<UploadSession> session(String id) {
        return jdbi().onDemand(SessionDao.class).find(id);
    }

    /** The session's chunk rows, by number. */
    public List<Chunk> chunks(String id) {
        return jdbi().onDemand(ChunkDao.class).list(id);
    }

    /** The stored bytes of chunk n of the session: its recorded range of the session's file. */
    public byte[] chunkBytes(String id, int n) throws java.io.IOException {
        Chunk chunk = chunks(id).stream().filter(c -> c.chunkNumber() == n).findFirst().orElseThrow();
        return storageFixture().bytesAt(id, chunk.chunkOffset(), Math.toIntExact(chunk.sizeBytes()));
    }

    /**
     * Sessions whose file holds bytes past the end of their recorded chunks, or whose file no
     * session row owns: a body being received, or what a refused one left behind.
     */
    public List<String> sessionsWithUnrecordedBytes() {
        StorageFixture storage = storageFixture();
        return storage.sessionsHeld().stream().filter(id -> {
            long recordedEnd = chunks(id).stream().mapToLong(c -> c.chunkOffset() + c.sizeBytes()).max().orElse(0);
            return session(id).isEmpty() || storage.bytesHeld(id) > recordedEnd;
        }).toList();
    }

    /**
     * Waits until the service has finished every request that was writing to a session (no writer
     * claim left): a client that cut its connection off mid-body has only been interrupted once
     * the server saw the broken connection and gave the claim up.
     */
    public void awaitNoWriters() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM writer_claim").mapTo(Integer.class).one()) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a writer claim was still held 10 s after its request was cut off");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Issues an uploader token the way {@code token-create} does. */
    public String token(String principal, String... groups) {
        return tokens().issue(principal, List.of(groups), new LinkedHashSet<>(List.of(Caller.UPLOADER)),
                Duration.ofHours(1), Actor.cli("token-create")).token();
    }

    public TokenService tokens() {
        return TokenService.create(new TokenQueries(jdbi()), new Ledger(jdbi(), Services.CLOCK), config().auth());
    }

    /** Stops the service; the database belongs to whoever created it. */
    @Override
    public void close() {
        stop();
    }
}

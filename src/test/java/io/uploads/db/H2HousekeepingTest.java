package io.uploads.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.db.ManagedDataSource;
import io.uploads.config.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 file under the service's own settings ({@code WRITE_DELAY=0}): many small
 * transactions leave it mostly dead space, and a housekeeping pass gives that space back.
 */
class H2HousekeepingTest {

    @TempDir
    Path dir;

    private ManagedDataSource dataSource;
    private ScheduledExecutorService executor;
    private H2Housekeeping housekeeping;
    private Jdbi jdbi;

    @BeforeEach
    void open() throws Exception {
        DatabaseConfig config = new DatabaseConfig("jdbc:h2:" + dir.resolve("db"), "sa", "", 4);
        dataSource = config.dataSourceFactory().build(new MetricRegistry(), "housekeeping-test");
        dataSource.start();
        executor = Executors.newSingleThreadScheduledExecutor();
        jdbi = Jdbi.create(dataSource);
        housekeeping = new H2Housekeeping(dataSource, SerialWrites.of(jdbi), executor);
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE progress (id INT PRIMARY KEY, bytes BIGINT, note VARCHAR(200))");
            h.execute("CREATE TABLE event (seq INT PRIMARY KEY, session_id INT, detail VARCHAR(200))");
            h.execute("CREATE INDEX event_session ON event (session_id, seq)");
        });
    }

    @AfterEach
    void close() throws Exception {
        executor.shutdownNow();
        dataSource.stop();
    }

    @Test
    void aPassGivesBackTheSpaceThatSmallCommitsLeftDead() throws Exception {
        commitLikeSmallUploads();
        long grown = Files.size(dir.resolve("db.mv.db"));
        assertThat(housekeeping.fillRate()).as("live share of the file after small commits")
                .isLessThan(H2Housekeeping.MIN_FILL_RATE);

        int passes = 0;
        while (housekeeping.compact()) {
            passes++;
            assertThat(passes).as("passes until the file is dense").isLessThan(50);
        }

        assertThat(passes).isPositive();
        assertThat(housekeeping.fillRate()).isGreaterThanOrEqualTo(H2Housekeeping.MIN_FILL_RATE);
        assertThat(Files.size(dir.resolve("db.mv.db"))).as("file size, was %d", grown).isLessThan(grown / 2);
        int events = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM event").mapTo(Integer.class).one());
        long bytes = jdbi.withHandle(h -> h.createQuery("SELECT SUM(bytes) FROM progress").mapTo(Long.class).one());
        assertThat(events).isEqualTo(3000);
        assertThat(bytes).isEqualTo(16384L * IntStream.range(2800, 3000).asLongStream().sum());
    }

    @Test
    void compactingKeepsTheRetentionTimeThatLetsTheFileOpenWithItsLastCommitsAfterAKill() throws Exception {
        int before = retentionTime();
        commitLikeSmallUploads();
        assertThat(housekeeping.compact()).isTrue();

        // H2's compactFile leaves it at 0, and then writes new chunks over the space of chunks
        // freed a moment before: after a kill -9 the file opened without its last commits
        assertThat(before).isEqualTo(45_000);
        assertThat(retentionTime()).isEqualTo(before);
    }

    @Test
    void aDenseFileIsLeftAlone() throws Exception {
        jdbi.useHandle(h -> h.execute("INSERT INTO progress VALUES (1, 0, 'one')"));
        for (int pass = 0; housekeeping.compact(); pass++) {
            assertThat(pass).as("passes until the file is dense").isLessThan(50);
        }
        long size = Files.size(dir.resolve("db.mv.db"));

        assertThat(housekeeping.compact()).isFalse();
        assertThat(Files.size(dir.resolve("db.mv.db"))).isEqualTo(size);
    }

    /** The shape of small uploads: a row updated and an event appended per commit. */
    private void commitLikeSmallUploads() {
        for (int i = 0; i < 3000; i++) {
            int seq = i;
            jdbi.useTransaction(h -> {
                h.createUpdate("MERGE INTO progress KEY (id) VALUES (:id, :bytes, :note)")
                        .bind("id", seq % 200).bind("bytes", (long) seq * 16384).bind("note", "session " + seq % 200)
                        .execute();
                h.createUpdate("INSERT INTO event VALUES (:seq, :session, :detail)")
                        .bind("seq", seq).bind("session", seq % 200).bind("detail", "chunk recorded ".repeat(8) + seq)
                        .execute();
            });
        }
    }

    private int retentionTime() {
        return jdbi.withHandle(h -> h.createQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'RETENTION_TIME'")
                .mapTo(Integer.class).one());
    }
}

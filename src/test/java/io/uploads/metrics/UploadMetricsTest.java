package io.uploads.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.dropwizard.util.DataSize;
import io.uploads.Services;
import io.uploads.admin.UploadTotals;
import io.uploads.config.UploadsConfig;
import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.core.AuditEvent;
import io.uploads.core.Caller;
import io.uploads.core.ChunkChecks;
import io.uploads.core.ChunkStore;
import io.uploads.core.ClientSessions;
import io.uploads.core.Completion;
import io.uploads.core.Protocol;
import io.uploads.core.RunningDigests;
import io.uploads.core.SequentialUploads;
import io.uploads.core.SessionSnapshot;
import io.uploads.core.Stage;
import io.uploads.core.UploadRules;
import io.uploads.core.WriterClaims;
import io.uploads.db.AdminQueries;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import io.uploads.testing.CommitFails;
import io.uploads.testing.DatabaseTestBase;
import io.uploads.testing.MovableClock;
import io.uploads.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the counters count, taken from the ledger after commit, and where the gauges read. */
class UploadMetricsTest extends DatabaseTestBase {

    private static final Caller ALICE = new Caller("alice", List.of("g"), Set.of(Caller.UPLOADER), "t");
    private static final AtomicInteger FILES = new AtomicInteger();

    // microseconds, as the database keeps them
    private final MovableClock clock = new MovableClock(Services.CLOCK.instant().truncatedTo(ChronoUnit.MICROS));
    private MetricRegistry registry;
    private UploadMetrics metrics;
    private ChunkStore store;
    private UploadsConfig config;
    private Ledger ledger;
    private SequentialUploads sequential;
    private Completion completion;
    private ClientSessions clientSessions;

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }

    @BeforeEach
    void freshMetricsAndNoSessions() throws IOException {
        jdbi.useHandle(h -> h.execute("DELETE FROM writer_claim"));
        jdbi.useHandle(h -> h.execute("DELETE FROM upload_chunk"));
        jdbi.useHandle(h -> h.execute("DELETE FROM upload_session"));
        registry = new MetricRegistry();
        metrics = new UploadMetrics(registry);
        store = new ChunkStore(Files.createTempDirectory(tmp, "storage-"), 0);
        config = new UploadsConfig(DataSize.mebibytes(10), DataSize.gibibytes(1), 1000,
                io.dropwizard.util.Duration.days(1), ExistingFilePolicy.rename, io.dropwizard.util.Duration.seconds(0));
        useLedger(new Ledger(jdbi, clock, metrics));
    }

    @Test
    void eachCommittedChangeIsCountedOnce() {
        SessionSnapshot started = start(3000);
        sequential.append(ALICE, started.session().id(), null, 2, null, body(2000), ChunkChecks.none());
        completion.complete(ALICE, Protocol.RESUMABLES, started.session().id(), null, null);

        assertThat(count(UploadMetrics.sessions(AuditEvent.SESSION_CREATED, Protocol.RESUMABLES))).isEqualTo(1);
        assertThat(count(UploadMetrics.sessions(AuditEvent.SESSION_COMPLETED, Protocol.RESUMABLES))).isEqualTo(1);
        assertThat(count(UploadMetrics.sessions(AuditEvent.SESSION_COMPLETED, Protocol.TUS))).isZero();
        assertThat(count(UploadMetrics.CHUNKS_RECORDED)).isEqualTo(2);
        assertThat(count(UploadMetrics.BYTES_RECEIVED)).isEqualTo(5000);
        assertThat(count(UploadMetrics.AUDIT_ROWS)).as("created, assembling, completed").isEqualTo(3);
        assertThat(registry.timer(UploadMetrics.COMPLETION).getCount()).isEqualTo(1);
    }

    @Test
    void abortedSessionsAreCountedByProtocol() {
        SessionSnapshot started = start(100);

        clientSessions.abort(ALICE, started.session().id(), null);

        assertThat(count(UploadMetrics.sessions(AuditEvent.SESSION_ABORTED, Protocol.RESUMABLES))).isEqualTo(1);
        assertThat(count(UploadMetrics.AUDIT_ROWS)).isEqualTo(2);
    }

    @Test
    void aChangeThatRollsBackAfterItsWritesIsNotCounted() {
        String id = start(3000).session().id();
        long chunks = count(UploadMetrics.CHUNKS_RECORDED);
        long bytes = count(UploadMetrics.BYTES_RECEIVED);
        long rows = count(UploadMetrics.AUDIT_ROWS);
        Jdbi failingCommits = database.jdbi();
        failingCommits.setTransactionHandler(new CommitFails());
        useLedger(new Ledger(failingCommits, clock, metrics));

        assertThatThrownBy(() -> sequential.append(ALICE, id, null, 2, null, body(500), ChunkChecks.none()))
                .hasMessageContaining("commit failed");
        assertThatThrownBy(() -> clientSessions.abort(ALICE, id, null)).hasMessageContaining("commit failed");

        assertThat(new SessionQueries(jdbi).chunks(id)).as("rolled back").hasSize(1);
        assertThat(count(UploadMetrics.CHUNKS_RECORDED)).isEqualTo(chunks);
        assertThat(count(UploadMetrics.BYTES_RECEIVED)).isEqualTo(bytes);
        assertThat(count(UploadMetrics.AUDIT_ROWS)).isEqualTo(rows);
        assertThat(count(UploadMetrics.sessions(AuditEvent.SESSION_ABORTED, Protocol.RESUMABLES))).isZero();
    }

    @Test
    void completionTimeRunsFromEnteringAssemblingToCompleted() {
        String id = start(3000).session().id();
        ledger.change(id, ALICE.actor(), change -> {
            change.moveTo(Stage.ASSEMBLING, null);
            return null;
        });
        clock.advance(Duration.ofSeconds(7));

        ledger.change(id, ALICE.actor(), change -> {
            change.complete("files/g/timed.bin", "0".repeat(64), 3000);
            return null;
        });

        var timer = registry.timer(UploadMetrics.COMPLETION);
        assertThat(timer.getCount()).isEqualTo(1);
        assertThat(timer.getSnapshot().getMax()).isEqualTo(TimeUnit.SECONDS.toNanos(7));
    }

    @Test
    void openSessionGaugesShowTheLastTotalsPassAndNeverCountTheTable() {
        UploadTotals totals = new UploadTotals(new AdminQueries(jdbi), clock, Duration.ofHours(1), null);  // never started
        metrics.watch(totals);
        start(1000);

        assertThat(gauge(UploadMetrics.OPEN_SESSIONS)).as("before the first pass").isNull();
        totals.refresh();
        assertThat(gauge(UploadMetrics.OPEN_SESSIONS)).isEqualTo(1L);
        assertThat(gauge(UploadMetrics.OPEN_BYTES)).isEqualTo(1000L);

        start(500);
        assertThat(gauge(UploadMetrics.OPEN_SESSIONS)).as("until the next pass").isEqualTo(1L);
        totals.refresh();
        assertThat(gauge(UploadMetrics.OPEN_SESSIONS)).isEqualTo(2L);
        assertThat(gauge(UploadMetrics.OPEN_BYTES)).isEqualTo(1500L);
    }

    @Test
    void aListenerThatFailsLeavesTheCommittedChangeStanding() {
        useLedger(new Ledger(jdbi, clock, committed -> {
            throw new IllegalStateException("listener broken");
        }));

        String id = start(100).session().id();

        assertThat(new SessionQueries(jdbi).find(id)).isPresent();
    }

    private void useLedger(Ledger ledger) {
        this.ledger = ledger;
        // the use cases as Services wires them
        SessionQueries sessions = new SessionQueries(jdbi);
        RunningDigests digests = new RunningDigests();
        UploadRules rules = new UploadRules(sessions, store, digests, clock, config);
        this.sequential = new SequentialUploads(ledger, store, new WriterClaims(ledger, store), config, rules);
        this.completion = new Completion(ledger, sessions, store, digests, config, rules);
        this.clientSessions = new ClientSessions(ledger, sessions, store, config, rules);
    }

    private SessionSnapshot start(int size) {
        return sequential.start(ALICE, Protocol.RESUMABLES, "file-" + FILES.incrementAndGet() + ".bin", null,
                body(size), ChunkChecks.none(), size);
    }

    private long count(String counter) {
        return registry.counter(counter).getCount();
    }

    private Object gauge(String name) {
        Gauge<?> gauge = registry.getGauges().get(name);
        return gauge.getValue();
    }

    private static ByteArrayInputStream body(int size) {
        return new ByteArrayInputStream(new byte[size]);
    }
}

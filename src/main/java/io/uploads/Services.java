package io.uploads;

import io.dropwizard.db.ManagedDataSource;
import io.uploads.auth.DenialLog;
import io.uploads.auth.TokenService;
import io.uploads.core.ChunkStore;
import io.uploads.core.RunningDigests;
import io.uploads.core.WriterClaims;
import io.uploads.core.ClientSessions;
import io.uploads.core.Completion;
import io.uploads.core.Expiry;
import io.uploads.core.NumberedChunks;
import io.uploads.core.OffsetUploads;
import io.uploads.core.Recovery;
import io.uploads.core.SequentialUploads;
import io.uploads.core.WholeUploads;
import io.uploads.core.UploadRules;
import io.uploads.db.AdminQueries;
import io.uploads.db.Database;
import io.uploads.db.SessionQueries;
import io.uploads.db.TokenQueries;
import io.uploads.ledger.AuditTrail;
import io.uploads.ledger.Ledger;
import io.uploads.ledger.LedgerEvents;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * The object graph, built once from the configuration and a data source: what {@code run()}, every
 * command and the tests use. Building it migrates the schema first.
 */
public final class Services {

    /** Microseconds: what both H2 and PostgreSQL keep, so an answer shows what a later read will. */
    public static final Clock CLOCK = Clock.tick(Clock.systemUTC(), Duration.of(1, ChronoUnit.MICROS));

    private final UploadServiceConfiguration config;
    private final Jdbi jdbi;
    private final ChunkStore store;
    private final Ledger ledger;
    private final SessionQueries sessions;
    private final UploadRules rules;
    private final Completion completion;
    private final SequentialUploads sequential;
    private final WholeUploads wholeUploads;
    private final OffsetUploads offsets;
    private final NumberedChunks numbered;
    private final ClientSessions clientSessions;
    private final Expiry expiry;
    private final Recovery recovery;
    private final AuditTrail audit;
    private final TokenQueries tokenQueries;
    private final AdminQueries adminQueries;
    private TokenService tokens;
    private DenialLog denials;

    private Services(UploadServiceConfiguration config, Jdbi jdbi, Clock clock, LedgerEvents events) {
        this.config = config;
        this.jdbi = jdbi;
        this.store = ChunkStore.open(Path.of(config.storage().directory()), config.storage().minFreeSpace().toBytes());
        this.ledger = new Ledger(jdbi, clock, events);
        this.sessions = new SessionQueries(jdbi);
        RunningDigests digests = new RunningDigests();
        WriterClaims claims = new WriterClaims(ledger, store);
        this.rules = new UploadRules(sessions, store, digests, clock, config.uploads());
        this.completion = new Completion(ledger, sessions, store, digests, config.uploads(), rules);
        this.sequential = new SequentialUploads(ledger, store, claims, config.uploads(), rules);
        this.offsets = new OffsetUploads(ledger, store, claims, config.uploads(), rules, completion);
        this.expiry = new Expiry(ledger, sessions, store);
        this.numbered = new NumberedChunks(ledger, sessions, store, claims, rules, completion, expiry, config.uploads());
        this.clientSessions = new ClientSessions(ledger, sessions, store, config.uploads(), rules);
        this.wholeUploads = new WholeUploads(sequential, completion, clientSessions);
        this.recovery = new Recovery(ledger, sessions, store, claims, digests, completion, clock,
                javaDuration(config.uploads().recoveryGracePeriod()));
        this.audit = new AuditTrail(jdbi);
        this.tokenQueries = new TokenQueries(jdbi);
        this.adminQueries = new AdminQueries(jdbi);
    }

    /** Migrates the database behind {@code dataSource}, then builds the graph on it. */
    public static Services build(UploadServiceConfiguration config, ManagedDataSource dataSource) {
        return build(config, dataSource, LedgerEvents.NONE);
    }

    /** As above, with {@code events} told of every committed change (the server's metrics). */
    public static Services build(UploadServiceConfiguration config, ManagedDataSource dataSource, LedgerEvents events) {
        Database.migrate(dataSource);
        return new Services(config, Database.jdbi(dataSource), CLOCK, events);
    }

    public UploadServiceConfiguration config() {
        return config;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public ChunkStore store() {
        return store;
    }

    public Ledger ledger() {
        return ledger;
    }

    public SessionQueries sessions() {
        return sessions;
    }

    public SequentialUploads sequential() {
        return sequential;
    }

    public WholeUploads wholeUploads() {
        return wholeUploads;
    }

    public OffsetUploads offsets() {
        return offsets;
    }

    public NumberedChunks numbered() {
        return numbered;
    }

    public Completion completion() {
        return completion;
    }

    public ClientSessions clientSessions() {
        return clientSessions;
    }

    public Expiry expiry() {
        return expiry;
    }

    public Recovery recovery() {
        return recovery;
    }

    public AdminQueries adminQueries() {
        return adminQueries;
    }

    public AuditTrail audit() {
        return audit;
    }

    /** Token signing needs the key, which may have to be generated and stored first. */
    public synchronized TokenService tokens() {
        if (tokens == null) {
            tokens = TokenService.create(tokenQueries, ledger, config.auth());
        }
        return tokens;
    }

    public synchronized DenialLog denials() {
        if (denials == null) {
            denials = new DenialLog(ledger);
        }
        return denials;
    }

    public static Duration javaDuration(io.dropwizard.util.Duration duration) {
        return Duration.ofMillis(duration.toMilliseconds());
    }
}

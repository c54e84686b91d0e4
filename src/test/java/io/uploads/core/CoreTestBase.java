package io.uploads.core;

import io.dropwizard.util.DataSize;
import io.uploads.config.UploadsConfig;
import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.db.ChunkDao;
import io.uploads.db.SessionDao;
import io.uploads.testing.DatabaseTestBase;
import io.uploads.testing.StorageFixture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.uploads.Services;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;

/** The real core over a migrated database and a fresh storage directory, with no session in it. */
abstract class CoreTestBase extends DatabaseTestBase {

    static final int CHUNK = 64 * 1024;
    static final Caller ALICE = new Caller("alice", List.of("g"), Set.of(Caller.UPLOADER), "t");
    private static final AtomicInteger FILES = new AtomicInteger();

    Path storage;
    ChunkStore store;
    StorageFixture onDisk;
    UploadsConfig config;
    Ledger ledger;
    UploadRules rules;
    SequentialUploads sequential;
    OffsetUploads offsets;
    NumberedChunks numbered;
    Completion completion;
    WriterClaims claims;
    RunningDigests digests;
    ClientSessions clientSessions;
    Expiry expiry;

    @BeforeEach
    void freshStorageAndTables() throws IOException {
        // recovery and expiry look at every session, so each test starts from none
        jdbi.useHandle(h -> h.execute("DELETE FROM writer_claim"));
        jdbi.useHandle(h -> h.execute("DELETE FROM upload_chunk"));
        jdbi.useHandle(h -> h.execute("DELETE FROM upload_session"));
        storage = Files.createTempDirectory(tmp, "storage-");
        store = new ChunkStore(storage, 0);
        onDisk = new StorageFixture(storage);
        config = new UploadsConfig(DataSize.mebibytes(10), DataSize.gibibytes(1), 1000,
                io.dropwizard.util.Duration.days(1), ExistingFilePolicy.rename, io.dropwizard.util.Duration.seconds(0));
        UseCases useCases = useCases(config, Services.CLOCK);
        ledger = useCases.ledger();
        rules = useCases.rules();
        sequential = useCases.sequential();
        offsets = useCases.offsets();
        numbered = useCases.numbered();
        completion = useCases.completion();
        claims = useCases.claims();
        digests = useCases.digests();
        clientSessions = useCases.clientSessions();
        expiry = useCases.expiry();
    }

    /** The use cases as {@code Services} wires them, over this class's database and storage. */
    record UseCases(Ledger ledger, UploadRules rules, WriterClaims claims, RunningDigests digests,
                    SequentialUploads sequential,
                    OffsetUploads offsets, NumberedChunks numbered, Completion completion,
                    ClientSessions clientSessions, Expiry expiry) {}

    UseCases useCases(UploadsConfig config, java.time.Clock clock) {
        return useCases(config, clock, jdbi);
    }

    UseCases useCases(UploadsConfig config, java.time.Clock clock, Jdbi jdbi) {
        Ledger ledger = new Ledger(jdbi, clock);
        SessionQueries sessions = new SessionQueries(jdbi);
        RunningDigests digests = new RunningDigests();
        WriterClaims claims = new WriterClaims(ledger, store);
        UploadRules rules = new UploadRules(sessions, store, digests, clock, config);
        Completion completion = new Completion(ledger, sessions, store, digests, config, rules);
        Expiry expiry = new Expiry(ledger, sessions, store);
        return new UseCases(ledger, rules, claims, digests, new SequentialUploads(ledger, store, claims, config, rules),
                new OffsetUploads(ledger, store, claims, config, rules, completion),
                new NumberedChunks(ledger, sessions, store, claims, rules, completion, expiry, config), completion,
                new ClientSessions(ledger, sessions, store, config, rules), expiry);
    }

    /** Sends {@code file} through the real core in {@code parts} chunks. */
    SessionSnapshot upload(byte[] file, int parts) {
        int size = (file.length + parts - 1) / parts;
        SessionSnapshot snapshot = sequential.start(ALICE, Protocol.RESUMABLES,
                "file-" + FILES.incrementAndGet() + ".bin", null,
                new ByteArrayInputStream(Arrays.copyOfRange(file, 0, size)), ChunkChecks.none(), size);
        for (int n = 2, from = size; from < file.length; n++, from += size) {
            snapshot = sequential.append(ALICE, snapshot.session().id(), null, n, null,
                    new ByteArrayInputStream(Arrays.copyOfRange(file, from, Math.min(file.length, from + size))),
                    ChunkChecks.none());
        }
        return snapshot;
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    SessionDao sessions() {
        return jdbi.onDemand(SessionDao.class);
    }

    ChunkDao chunks() {
        return jdbi.onDemand(ChunkDao.class);
    }
}

package io.uploads.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.AuditEntry;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.ledger.AuditTrail;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.RequiresPostgres;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestDatabase;
import io.uploads.testing.TestFiles;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §6, "one chain across all instances": two servers on one PostgreSQL schema, each with its
 * own storage, take uploads from 8 threads apiece at once (native and tus, each thread with its own
 * token). Afterwards the chain verifies intact, its seq runs 1..n without a gap, and every upload
 * has exactly its lifecycle rows. A verifier runs throughout and must never see a broken chain.
 */
@RequiresPostgres
class TwoInstancesAuditPostgresTest {

    private static final int THREADS_PER_INSTANCE = 8;
    private static final int UPLOADS_PER_THREAD = 4;
    private static final int UPLOADS = 2 * THREADS_PER_INSTANCE * UPLOADS_PER_THREAD;

    @TempDir
    Path tmp;

    @Test
    void concurrentUploadsOnTwoInstancesFormOneIntactChainWithoutGaps() throws Exception {
        try (TestDatabase database = TestDatabase.postgres();
             TestApp first = TestApp.start(database, tmp.resolve("storage-a"));
             TestApp second = TestApp.start(database, tmp.resolve("storage-b"))) {
            AuditRows audit = new AuditRows(first.jdbi());
            List<Uploader> uploaders = new ArrayList<>();
            for (int t = 0; t < 2 * THREADS_PER_INSTANCE; t++) {
                TestApp app = t < THREADS_PER_INSTANCE ? first : second;
                uploaders.add(new Uploader(app, "u" + t, app.token("u" + t, "g" + t), t));
            }
            long before = audit.lastSeq();

            List<String> sessions = runAllAtOnce(uploaders, first);

            assertThat(sessions).hasSize(UPLOADS).doesNotHaveDuplicates();
            AuditTrail.Verification verification = audit.assertIntact();
            List<Long> seqs = first.jdbi().withHandle(h -> h.createQuery("SELECT seq FROM audit_event ORDER BY seq")
                    .mapTo(Long.class).list());
            assertThat(seqs).as("seq without gaps").containsExactlyElementsOf(
                    LongStream.rangeClosed(1, verification.headSeq()).boxed().toList());
            assertThat(audit.count("session_created")).as("one created row per upload").isEqualTo(UPLOADS);
            assertThat(audit.count("session_completed")).isEqualTo(UPLOADS);
            for (String id : sessions) {
                UploadSession session = first.session(id).orElseThrow();
                assertThat(session.state()).isEqualTo(SessionState.COMPLETED);
                List<String> expected = session.protocol() == Protocol.TUS
                        ? List.of("session_created", "session_completion_due", "session_assembling", "session_completed")
                        : List.of("session_created", "session_assembling", "session_completed");
                List<AuditEntry> rows = audit.forSession(id);
                assertThat(AuditRows.events(rows)).as("rows of session %s", id).containsExactlyElementsOf(expected);
                assertThat(rows).allSatisfy(row -> assertThat(row.actor()).isEqualTo(session.owner()));
            }
            assertThat(audit.after(before)).as("every row the uploads appended is about one of them")
                    .allSatisfy(row -> assertThat(row.sessionId()).isIn(sessions));
        }
    }

    /** Runs every uploader on a thread of its own, released together; a verifier runs meanwhile. */
    private static List<String> runAllAtOnce(List<Uploader> uploaders, TestApp verifierApp) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(uploaders.size() + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean loading = new AtomicBoolean(true);
        List<String> brokenWhileLoading = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (Uploader u : uploaders) {
                results.add(threads.submit(() -> {
                    start.await();
                    return u.uploadAll();
                }));
            }
            Future<Integer> verifier = threads.submit(() -> {
                AuditTrail trail = new AuditTrail(verifierApp.jdbi());
                start.await();
                int runs = 0;
                while (loading.get()) {
                    AuditTrail.Verification v = trail.verify(null);
                    if (!v.intact()) {
                        brokenWhileLoading.add(v.summary());
                    }
                    runs++;
                    Thread.sleep(20);    // leave the two cores to the servers
                }
                return runs;
            });
            start.countDown();
            List<String> sessions = new ArrayList<>();
            try {
                for (Future<List<String>> r : results) {
                    sessions.addAll(r.get(5, TimeUnit.MINUTES));
                }
            } finally {
                loading.set(false);
            }
            assertThat(verifier.get(1, TimeUnit.MINUTES)).as("verifications during the load").isPositive();
            assertThat(brokenWhileLoading).as("verification while servers append").isEmpty();
            return sessions;
        } finally {
            threads.shutdownNow();
        }
    }

    /** One thread's uploads to one instance: native and tus in turn, small, each completed. */
    private record Uploader(TestApp app, String principal, String token, int thread) {

        List<String> uploadAll() {
            Http http = app.http();
            List<String> ids = new ArrayList<>();
            for (int n = 0; n < UPLOADS_PER_THREAD; n++) {
                byte[] file = TestFiles.randomBytes(2_000 + n, thread * 100L + n);
                String name = "t" + thread + "-" + n + ".bin";
                ids.add(n % 2 == 0 ? nativeUpload(http, name, file) : tusUpload(http, name, file));
            }
            return ids;
        }

        private String nativeUpload(Http http, String name, byte[] file) {
            Reply first = http.patch("/files/stream/" + name + "?chunk=1", token, Arrays.copyOf(file, 1_000));
            assertThat(first.status()).as(first.body()).isEqualTo(201);
            String id = first.text("id");
            Reply second = http.patch("/files/stream/" + name + "?chunk=2&id=" + id, token,
                    Arrays.copyOfRange(file, 1_000, file.length));
            assertThat(second.status()).as(second.body()).isEqualTo(201);
            Reply end = http.patch("/files/stream/" + name + "?chunk=end&id=" + id, token, new byte[0]);
            assertThat(end.status()).as(end.body()).isEqualTo(201);
            assertThat(end.text("sha256")).isEqualTo(TestFiles.sha256(file));
            return id;
        }

        private String tusUpload(Http http, String name, byte[] file) {
            Reply created = http.send("POST", "/files/tus", token, BodyPublishers.noBody(), Map.of(
                    "Tus-Resumable", "1.0.0",
                    "Upload-Length", Integer.toString(file.length),
                    "Upload-Metadata", "filename " + Base64.getEncoder().encodeToString(
                            name.getBytes(StandardCharsets.UTF_8))));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String location = created.headers().entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("Location"))
                    .map(e -> e.getValue().get(0))
                    .findFirst().orElseThrow();
            String id = location.substring(location.lastIndexOf('/') + 1);
            int half = file.length / 2;
            assertThat(patch(http, id, 0, Arrays.copyOf(file, half)).status()).isEqualTo(204);
            Reply last = patch(http, id, half, Arrays.copyOfRange(file, half, file.length));
            assertThat(last.status()).as(last.body()).isEqualTo(204);
            return id;
        }

        private Reply patch(Http http, String id, long offset, byte[] body) {
            return http.send("PATCH", "/files/tus/" + id, token, BodyPublishers.ofByteArray(body), Map.of(
                    "Tus-Resumable", "1.0.0",
                    "Upload-Offset", Long.toString(offset),
                    "Content-Type", "application/offset+octet-stream"));
        }
    }
}

package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.tus.java.client.ProtocolException;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLStore;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import io.uploads.core.Chunk;
import io.uploads.core.UploadSession;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.PacedInputStream;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7 for tus, with the real tus-java-client: the server is killed with SIGKILL in the middle
 * of PATCH bodies, several times, and once around the PATCH that completes the file. After each
 * restart the client resumes as it does (HEAD for {@code Upload-Offset}, PATCHes from there), and:
 *
 * <ul>
 *   <li>{@code Upload-Offset} is what is durable: the sum of the chunk rows, each of which is the
 *       source's bytes at its offset and is stored as recorded;
 *   <li>it is at least the offset the server last acknowledged to the client, so at most the one
 *       PATCH in flight is sent again;
 *   <li>the upload continues under the same URL, and the file under {@code files/<group>/<name>}
 *       is byte-identical, and the only one.
 * </ul>
 *
 * Where each kill lands is left to chance; what must hold after it does not depend on where.
 */
abstract class KillResumeTusTest extends KillResumeBase {

    /** Not a multiple of the payload: the PATCH that completes the file is a short one. */
    private static final int FILE_SIZE = 4 * MIB + 123_457;
    /** Bytes per PATCH request; the client writes them {@link #WRITE_SIZE} at a time. */
    private static final int PAYLOAD = 256 * 1024;
    private static final int WRITE_SIZE = 64 * 1024;
    /** A PATCH body takes 125 ms, so most kills land in the middle of one. */
    private static final long PACE = 2L * MIB;
    private static final long PATCH_MILLIS = PAYLOAD * 1000L / PACE;
    private static final int KILLS_DURING_PATCHES = 3;
    /** From the last PATCH's arrival: about the time it takes to store it, assemble the file and answer. */
    private static final long COMPLETION_WINDOW_MILLIS = 100;
    /** As tus-java-client's {@code TusExecutor}: a refusal it may retry (423, 5xx) is tried again after a pause. */
    private static final int RETRIES = 5;
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    @Test
    void killedDuringPatchBodiesTheUploadResumesFromTheDurableOffset() throws Exception {
        String filename = "tus-patches.bin";
        byte[] source = TestFiles.randomBytes(FILE_SIZE, 41);
        UrlStore urls = new UrlStore();
        long acknowledged = 0;    // the highest offset a PATCH answer (or a HEAD) confirmed to the client

        for (int kill = 1; kill <= KILLS_DURING_PATCHES; kill++) {
            try (SeparateJvm.Server server = start()) {
                urls.serverAt(server.baseUrl());
                long durable = durableAfterRestart(server, source, kill > 1, acknowledged);
                TusClient client = client(server, urls);
                CompletableFuture<Outcome> sending = CompletableFuture.supplyAsync(
                        () -> upload(client, filename, source, PACE, FILE_SIZE));
                awaitServerHolds(server, filename, durable + 2L * PAYLOAD, sending);
                killAtRandom(server, "kill " + kill + " during PATCH bodies", PATCH_MILLIS);
                Outcome outcome = sending.get();

                assertThat(outcome.resumedFrom()).as("offset the client resumed from").isEqualTo(durable);
                assertThat(outcome.refusal()).as("status of a refusal").isNull();
                assertThat(outcome.failure()).as("the upload finished before the kill: slow the pace").isNotNull();
                acknowledged = outcome.acknowledged();
            }
        }

        try (SeparateJvm.Server server = start()) {
            urls.serverAt(server.baseUrl());
            long durable = durableAfterRestart(server, source, true, acknowledged);
            Outcome rest = upload(client(server, urls), filename, source, 0, FILE_SIZE);

            assertThat(rest.failure()).isNull();
            assertThat(rest.resumedFrom()).as("offset the client resumed from").isEqualTo(durable);
            assertCompletedByteIdentical(filename, source);
        }
    }

    /**
     * The kill lands somewhere between the last PATCH's body arriving and its answer: before it was
     * recorded, between its rename and its row, before or during assembly, or after. The client
     * that got no answer resumes from HEAD; whatever the server got done, it is finished once.
     */
    @Test
    void killedAroundThePatchThatCompletesTheFileTheUploadIsFinishedOnce() throws Exception {
        String filename = "tus-ending.bin";
        byte[] source = TestFiles.randomBytes(FILE_SIZE, 42);
        UrlStore urls = new UrlStore();
        long lastPatchAt = FILE_SIZE - FILE_SIZE % PAYLOAD;

        long acknowledged;
        boolean toldComplete;
        try (SeparateJvm.Server server = start()) {
            urls.serverAt(server.baseUrl());
            TusClient client = client(server, urls);
            Outcome allButLast = upload(client, filename, source, 0, lastPatchAt);
            assertThat(allButLast.failure()).isNull();
            assertThat(allButLast.acknowledged()).isEqualTo(lastPatchAt);

            String id = onlySession().id();
            Map<String, String> before = storageFixture().contentsOf(id);
            CompletableFuture<Outcome> completing = CompletableFuture.supplyAsync(
                    () -> upload(client, filename, source, 0, FILE_SIZE));
            awaitArrival(completing, id, before);
            killAtRandom(server, "the PATCH completing the file", COMPLETION_WINDOW_MILLIS);
            Outcome last = completing.get();
            assertThat(last.refusal()).as("refusal of the last PATCH").isNull();
            toldComplete = last.failure() == null;
            note("the client was told the file is complete before the kill: " + toldComplete);
            acknowledged = Math.max(lastPatchAt, last.acknowledged());
        }

        try (SeparateJvm.Server server = start()) {
            urls.serverAt(server.baseUrl());
            long durable = durableAfterRestart(server, source, true, acknowledged);
            if (!toldComplete) {    // a client that was told the file is complete has nothing more to do
                Outcome rest = upload(client(server, urls), filename, source, 0, FILE_SIZE);
                assertThat(rest.failure()).isNull();
                assertThat(rest.resumedFrom()).as("offset the client resumed from").isEqualTo(durable);
            }
            assertCompletedByteIdentical(filename, source);
        }
    }

    /**
     * What the service holds of the upload after a restart, once its rows are checked against the
     * source and the disk: {@code Upload-Offset}, which must be the sum of the rows and at least
     * what the server had acknowledged before the kill (0 before the first start).
     */
    private long durableAfterRestart(SeparateJvm.Server server, byte[] source, boolean started, long acknowledged)
            throws IOException {
        if (!started) {
            assertThat(sessions()).isEmpty();
            return 0;
        }
        UploadSession session = onlySession();
        List<Chunk> rows = assertChunkRowsHoldTheSource(session, source);
        long durable = rows.stream().mapToLong(Chunk::sizeBytes).sum();
        UploadAssertions.assertContiguous(rows, durable);
        assertThat(session.receivedBytes()).as("received bytes of session %s", session.id()).isEqualTo(durable);

        Reply head = server.http().send("HEAD", "/files/tus/" + session.id(), token, BodyPublishers.noBody(),
                Map.of("Tus-Resumable", "1.0.0"));
        assertThat(head.status()).as("HEAD after the restart").isEqualTo(200);
        assertThat(Long.parseLong(header(head, "Upload-Offset")))
                .as("Upload-Offset after the restart: the sum of the chunk rows %s", rows).isEqualTo(durable);
        assertThat(durable).as("Upload-Offset after the restart; the server had acknowledged %d", acknowledged)
                .isGreaterThanOrEqualTo(acknowledged);
        return durable;
    }

    /**
     * What one run of the client did.
     *
     * @param resumedFrom the offset the client started from (from HEAD, or 0 for a new upload)
     * @param acknowledged the highest offset a PATCH answer confirmed
     * @param failure the client's failure, null when it finished what it was asked to do
     * @param refusal the status of a refusal among those failures, null when none
     */
    private record Outcome(long resumedFrom, long acknowledged, @Nullable String failure, @Nullable Integer refusal) {}

    /**
     * The client's documented loop: {@code resumeOrCreateUpload} (HEAD of the stored URL, or a new
     * upload), then {@code uploadChunk()} until the source ends and {@code finish()}; or, with
     * {@code until} short of the size, until the offset reaches it (at the end of a PATCH). A
     * refusal the client may retry (423, 5xx) is tried again from a new HEAD after a pause, as its
     * {@code TusExecutor} does; a request that gets no answer (the server went away) ends the run.
     */
    private Outcome upload(TusClient client, String filename, byte[] source, long pace, long until) {
        long resumedFrom = -1;
        long acknowledged = 0;
        for (int attempt = 0; ; attempt++) {
            try {
                TusUploader uploader = client.resumeOrCreateUpload(upload(filename, source, pace));
                uploader.setChunkSize(WRITE_SIZE);
                uploader.setRequestPayloadSize(PAYLOAD);
                long from = uploader.getOffset();
                resumedFrom = resumedFrom < 0 ? from : resumedFrom;
                acknowledged = from;
                if (until < FILE_SIZE) {
                    while (uploader.getOffset() < until && uploader.uploadChunk() > -1) {
                        acknowledged = acknowledgedAfter(uploader, from, acknowledged);
                    }
                    return new Outcome(resumedFrom, acknowledged, null, null);
                }
                while (uploader.uploadChunk() > -1) {
                    acknowledged = acknowledgedAfter(uploader, from, acknowledged);
                }
                uploader.finish();
                return new Outcome(resumedFrom, uploader.getOffset(), null, null);
            } catch (ProtocolException e) {
                if (e.shouldRetry() && attempt < RETRIES) {
                    pause();
                    continue;
                }
                Integer status = statusOf(e);
                return new Outcome(resumedFrom, acknowledged, e + " (status " + status + ")", status);
            } catch (IOException e) {
                return new Outcome(resumedFrom, acknowledged, e.toString(), null);
            }
        }
    }

    /** A PATCH ends every {@link #PAYLOAD} bytes, and the client reads its answer before going on. */
    private static long acknowledgedAfter(TusUploader uploader, long from, long acknowledged) {
        return (uploader.getOffset() - from) % PAYLOAD == 0 ? uploader.getOffset() : acknowledged;
    }

    private static TusUpload upload(String filename, byte[] source, long pace) {
        InputStream bytes = new ByteArrayInputStream(source);
        TusUpload upload = new TusUpload();
        upload.setSize(source.length);
        upload.setFingerprint(filename + "-" + source.length);
        upload.setInputStream(pace > 0 ? new PacedInputStream(bytes, pace) : bytes);
        upload.setMetadata(Map.of("filename", filename, "group", GROUP));
        return upload;
    }

    private TusClient client(SeparateJvm.Server server, TusURLStore urls) throws MalformedURLException {
        TusClient client = new TusClient();
        client.setUploadCreationURL(new URL(server.baseUrl() + "/files/tus"));
        client.setHeaders(Map.of("Authorization", "Bearer " + token));
        client.enableResuming(urls);
        return client;
    }

    private static @Nullable Integer statusOf(ProtocolException e) {
        try {
            return e.getCausingConnection() == null ? null : e.getCausingConnection().getResponseCode();
        } catch (IOException unreadable) {
            return null;
        }
    }

    private static String header(Reply reply, String name) {
        return reply.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " header in " + reply.headers()));
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The client's store of upload URLs, for a server that comes back at the address it had: the
     * restarted server here listens on new ports, so the path of a stored URL is kept and the
     * server's current address is put in front of it.
     */
    private static final class UrlStore implements TusURLStore {

        private final Map<String, String> paths = new ConcurrentHashMap<>();
        private volatile String base = "";

        void serverAt(String baseUrl) {
            base = baseUrl;
        }

        @Override
        public void set(String fingerprint, URL url) {
            paths.put(fingerprint, url.getPath());
        }

        @Override
        public @Nullable URL get(String fingerprint) {
            String path = paths.get(fingerprint);
            try {
                return path == null ? null : new URL(base + path);
            } catch (MalformedURLException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void remove(String fingerprint) {
            paths.remove(fingerprint);
        }
    }
}

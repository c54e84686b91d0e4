package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.SessionState;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.TestFiles;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} while many small tus uploads run at once, so that on H2 the kill lands among
 * writes committed together (group commit, {@code db/SerialWrites}) and on PostgreSQL among
 * concurrent transactions. After a restart: every upload a client was told is complete is there,
 * byte-identical; every upload a client was told exists resumes from the offset the server
 * reports and finishes byte-identical; no file is left under a final name that no completed
 * session holds; and the audit chain verifies.
 */
abstract class KillManyUploadsTest extends KillResumeBase {

    private static final int CLIENTS = 12;
    private static final int MAX_SIZE = 64 * 1024;
    /** Completed uploads before the kill's window opens: the clients are in full flow by then. */
    private static final int COMPLETED_BEFORE_KILL = 40;
    private static final long KILL_WINDOW_MILLIS = 500;

    /** One client's upload and what the server told it. */
    private static final class Sent {
        final String name;
        final byte[] bytes;
        volatile String path;          // set once a creation answered 201
        volatile boolean complete;     // set once an answer said the upload holds every byte

        Sent(String name, byte[] bytes) {
            this.name = name;
            this.bytes = bytes;
        }
    }

    @Test
    void killedAmongManyUploadsEveryAcknowledgedUploadSurvivesAndTheAuditChainVerifies() throws Exception {
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        AtomicInteger completed = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (SeparateJvm.Server server = start()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> uploadUntilRefused(server.http(), client, sent, completed)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (completed.get() < COMPLETED_BEFORE_KILL && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(completed.get()).as("uploads completed before the kill").isGreaterThanOrEqualTo(COMPLETED_BEFORE_KILL);
            killAtRandom(server, "among " + CLIENTS + " clients' uploads", KILL_WINDOW_MILLIS);
            for (Future<?> client : running) {
                client.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        note("%d uploads started, %d told complete".formatted(sent.size(),
                sent.stream().filter(s -> s.complete).count()));

        try (SeparateJvm.Server server = start()) {
            Http http = server.http();
            for (Sent s : sent) {
                if (s.path != null && !s.complete) {
                    finish(http, s);
                }
            }
            for (Sent s : sent) {
                if (s.path != null) {
                    Path file = storage().resolve("files").resolve(GROUP).resolve(s.name);
                    assertThat(file).as("final file of %s", s.name).exists();
                    assertThat(TestFiles.sha256(file)).as("SHA-256 of %s", s.name).isEqualTo(TestFiles.sha256(s.bytes));
                }
            }
            // a final name is linked before the commit that records it: none may outlive a commit that never came
            List<String> completedNames = sessions().stream()
                    .filter(session -> session.state() == SessionState.COMPLETED)
                    .map(session -> Path.of(session.finalPath()).getFileName().toString())
                    .toList();
            assertThat(completedNames).as("final names of the completed sessions").containsAll(filesOfGroup());
        }
        SeparateJvm.Result verified = command("audit-verify");
        assertThat(verified.exitCode()).as("audit-verify: %s", verified.describe()).isZero();
    }

    /**
     * Uploads small files one after another, half of them in the creation request
     * (creation-with-upload), until the server stops answering.
     */
    private void uploadUntilRefused(Http http, int client, ConcurrentLinkedQueue<Sent> sent, AtomicInteger completed) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int n = 0; ; n++) {
            byte[] bytes = new byte[1 + random.nextInt(MAX_SIZE)];
            random.nextBytes(bytes);
            Sent s = new Sent("c" + client + "-" + n + ".bin", bytes);
            sent.add(s);
            boolean inTheCreation = n % 2 == 1;
            try {
                Map<String, String> headers = new HashMap<>(tus());
                headers.put("Upload-Length", String.valueOf(bytes.length));
                headers.put("Upload-Metadata", "filename " + Base64.getEncoder()
                        .encodeToString(s.name.getBytes(StandardCharsets.UTF_8)));
                if (inTheCreation) {
                    headers.put("Content-Type", "application/offset+octet-stream");
                }
                Reply created = http.send("POST", "/files/tus", token,
                        inTheCreation ? BodyPublishers.ofByteArray(bytes) : BodyPublishers.noBody(), headers);
                assertThat(created.status()).as("creation of %s: %s", s.name, created.body()).isEqualTo(201);
                s.path = URI.create(created.headers().get("location").get(0)).getPath();
                if (!inTheCreation) {
                    Reply patched = patch(http, s, 0);
                    assertThat(patched.status()).as("PATCH of %s: %s", s.name, patched.body()).isEqualTo(204);
                }
                s.complete = true;
                completed.incrementAndGet();
            } catch (UncheckedIOException killed) {
                return;
            }
        }
    }

    /** Resumes an upload from the offset the restarted server reports, as a tus client does. */
    private void finish(Http http, Sent s) {
        Reply head = http.send("HEAD", s.path, token, BodyPublishers.noBody(), tus());
        assertThat(head.status()).as("HEAD of %s after the restart", s.name).isEqualTo(200);
        long offset = Long.parseLong(head.headers().get("upload-offset").get(0));
        if (offset < s.bytes.length) {
            Reply patched = patch(http, s, offset);
            assertThat(patched.status()).as("PATCH of %s from %d: %s", s.name, offset, patched.body()).isEqualTo(204);
        }
    }

    private Reply patch(Http http, Sent s, long offset) {
        Map<String, String> headers = new HashMap<>(tus());
        headers.put("Upload-Offset", String.valueOf(offset));
        headers.put("Content-Type", "application/offset+octet-stream");
        return http.send("PATCH", s.path, token,
                BodyPublishers.ofByteArray(s.bytes, Math.toIntExact(offset), s.bytes.length - Math.toIntExact(offset)),
                headers);
    }

    private static Map<String, String> tus() {
        return Map.of("Tus-Resumable", "1.0.0");
    }
}

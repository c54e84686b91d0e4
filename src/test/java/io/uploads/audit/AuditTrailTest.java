package io.uploads.audit;

import static io.uploads.audit.AuditRows.events;
import static io.uploads.testing.FlowStyleClient.lastChunkFirst;
import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.auth.DenialLog;
import io.uploads.auth.TokenService;
import io.uploads.core.Actor;
import io.uploads.core.AuditEntry;
import io.uploads.core.AuditEvent;
import io.uploads.core.Caller;
import io.uploads.core.SessionState;
import io.uploads.ledger.Ledger;
import io.uploads.testing.MovableClock;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Run;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SPEC §6, the audit trail, over real HTTP: each lifecycle in each protocol, abort, expiry,
 * recovery, refused authentications and tokens leave exactly their rows, in order, with actor,
 * address, bytes and detail; and the chain stays intact through all of it.
 *
 * <p>The service is shared by the whole class, so every test uses principals and filenames of its
 * own, and looks only at the rows its own actions appended (those after the last seq it saw).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AuditTrailTest extends AppTestBase {

    /** {@code http://localhost:<port>} is reached over IPv4 loopback. */
    private static final String LOOPBACK = "127.0.0.1";
    private static final int FLOW_CHUNK = 64 * 1024;

    private AuditRows audit;

    @BeforeAll
    void readTheTrail() {
        audit = new AuditRows(app.jdbi());
    }

    // ---- one lifecycle per protocol ----

    @Test
    void aNativeUploadIsCreatedAssemblingAndCompletedWithItsSizeDigestAndPath() {
        String token = app.token("audit-native", "native-group");
        byte[] file = randomBytes(150_000, 1);
        long before = audit.lastSeq();

        String id = created(http.patch("/files/stream/native.bin?chunk=1", token, slice(file, 0, 100_000)));
        assertThat(http.patch("/files/stream/native.bin?chunk=2&id=" + id, token, slice(file, 100_000, file.length))
                .status()).isEqualTo(201);
        Reply end = http.patch("/files/stream/native.bin?chunk=end&id=" + id, token, new byte[0]);

        assertThat(end.status()).as(end.body()).isEqualTo(201);
        List<AuditEntry> rows = audit.forSession(id);
        assertThat(events(rows)).containsExactly("session_created", "session_assembling", "session_completed");
        assertThat(audit.after(before)).as("no row per chunk, nothing else").isEqualTo(rows);
        assertAllAbout(rows, id, "resumables", "native.bin", "native-group");
        assertAllBy(rows, "audit-native", LOOPBACK);
        AuditEntry completed = rows.get(2);
        assertThat(completed.bytes()).isEqualTo(file.length);
        assertThat(completed.detail()).contains(TestFiles.sha256(file)).contains(end.text("path"))
                .contains(Integer.toString(file.length));
        assertThat(end.text("sha256")).isEqualTo(TestFiles.sha256(file));
        assertInTimeOrder(rows);
        audit.assertIntact();
    }

    @Test
    void aFlowUploadIsCreatedOnceThenAssemblingAndCompleted() {
        String token = app.token("audit-flow", "flow-group");
        FlowFile file = FlowFile.of("flow.bin", randomBytes(4 * FLOW_CHUNK + 1_000, 2), FLOW_CHUNK);
        long before = audit.lastSeq();

        // three chunks at a time, the last one first: the first three race to create the session
        Run run = new FlowStyleClient(app.baseUrl(), token).upload(file, lastChunkFirst(file));

        assertThat(run.completions()).as("answers that completed the upload").hasSize(1);
        Reply completion = run.completions().get(0);
        String id = completion.text("id");
        List<AuditEntry> rows = audit.forSession(id);
        assertThat(events(rows)).containsExactly("session_created", "session_assembling", "session_completed");
        assertThat(audit.after(before)).as("the losers of the creation race leave no row").isEqualTo(rows);
        assertAllAbout(rows, id, "flow", "flow.bin", "flow-group");
        assertAllBy(rows, "audit-flow", LOOPBACK);
        AuditEntry completed = rows.get(2);
        assertThat(completed.bytes()).isEqualTo(file.size());
        assertThat(completed.detail()).contains(TestFiles.sha256(file.bytes())).contains(completion.text("path"));
        audit.assertIntact();
    }

    @Test
    void aTusUploadIsCreatedThenDueThenAssemblingAndCompleted() {
        String token = app.token("audit-tus", "tus-group");
        byte[] file = randomBytes(70_000, 3);
        long before = audit.lastSeq();

        Reply creation = http.send("POST", "/files/tus", token, BodyPublishers.noBody(), Map.of(
                "Tus-Resumable", "1.0.0",
                "Upload-Length", Integer.toString(file.length),
                "Upload-Metadata", "filename " + base64("tus.bin")));
        assertThat(creation.status()).as(creation.body()).isEqualTo(201);
        String location = header(creation, "Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertThat(tusPatch(token, id, 0, slice(file, 0, 30_000)).status()).isEqualTo(204);
        assertThat(tusPatch(token, id, 30_000, slice(file, 30_000, file.length)).status()).isEqualTo(204);

        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.COMPLETED);
        List<AuditEntry> rows = audit.forSession(id);
        assertThat(events(rows)).containsExactly("session_created", "session_completion_due", "session_assembling",
                "session_completed");
        assertThat(audit.after(before)).isEqualTo(rows);
        assertAllAbout(rows, id, "tus", "tus.bin", "tus-group");
        assertAllBy(rows, "audit-tus", LOOPBACK);
        assertThat(rows.get(0).bytes()).as("bytes at creation").isZero();
        assertThat(rows.get(1).bytes()).as("bytes when due").isEqualTo(file.length);
        assertThat(rows.get(3).bytes()).isEqualTo(file.length);
        assertThat(rows.get(3).detail()).contains(TestFiles.sha256(file))
                .contains(app.session(id).orElseThrow().finalPath());
        audit.assertIntact();
    }

    // ---- the ends that are not completion ----

    @Test
    void anAbortByItsOwnerIsRecordedWithTheOwnerAndAddressAndARefusedOneIsNot() {
        String token = app.token("audit-aborter", "abort-group");
        String id = created(http.patch("/files/stream/aborted.bin?chunk=1", token, new byte[2_000]));
        long before = audit.lastSeq();

        Reply abort = http.delete("/files/resumables/aborted.bin?id=" + id, token);

        assertThat(abort.status()).as(abort.body()).isEqualTo(200);
        List<AuditEntry> appended = audit.after(before);
        assertThat(events(appended)).containsExactly("session_aborted");
        AuditEntry aborted = appended.get(0);
        assertThat(aborted.sessionId()).isEqualTo(id);
        assertThat(aborted.actor()).isEqualTo("audit-aborter");
        assertThat(aborted.remoteAddr()).isEqualTo(LOOPBACK);
        assertThat(aborted.bytes()).isEqualTo(2_000);
        assertThat(events(audit.forSession(id))).containsExactly("session_created", "session_aborted");

        long afterAbort = audit.lastSeq();
        Reply again = http.delete("/files/resumables/aborted.bin?id=" + id, token);
        assertThat(again.status()).as("a finished session cannot be aborted").isBetween(400, 499);
        assertThat(audit.after(afterAbort)).as("a refused change writes no row").isEmpty();
        audit.assertIntact();
    }

    @Test
    void anIdleSessionExpiredByTheAdminTaskIsRecorded() {
        String token = app.token("audit-idler", "idle-group");
        String id = created(http.patch("/files/stream/idle.bin?chunk=1", token, new byte[1_000]));
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET expires_at = :past WHERE id = :id")
                .bind("past", Instant.now().minusSeconds(60)).bind("id", id).execute());

        Reply task = admin().send("POST", "/tasks/expire", null, BodyPublishers.noBody(), Map.of());

        assertThat(task.status()).as(task.body()).isEqualTo(200);
        assertThat(app.session(id).orElseThrow().state()).isEqualTo(SessionState.EXPIRED);
        List<AuditEntry> rows = audit.forSession(id);
        assertThat(events(rows)).containsExactly("session_created", "session_expired");
        AuditEntry expired = rows.get(1);
        // the task, or the server's own sweep if it came first
        assertThat(expired.actor()).isIn("task:expire", "system");
        assertThat(expired.remoteAddr()).isNull();
        assertThat(expired.bytes()).isEqualTo(1_000);
        assertThat(expired.detail()).startsWith("idle since");
        audit.assertIntact();
    }

    /**
     * Three leftovers of a crash, built directly: a session stuck ASSEMBLING with its bytes, one
     * stuck ASSEMBLING without them, and an open session whose last chunk file is missing. The
     * recover task repairs each, and the trail says what the system did to it.
     */
    @Test
    void recoveryRecordsWhatTheSystemRepairedCompletedAndFailed() throws Exception {
        String token = app.token("audit-crashed", "crash-group");
        byte[] intact = randomBytes(9_000, 4);
        String reassemble = twoChunks(token, "reassemble.bin", intact);
        String lost = twoChunks(token, "lost.bin", randomBytes(9_000, 5));
        String cut = twoChunks(token, "cut.bin", randomBytes(9_000, 6));
        // left so an hour ago: the task, run beside running uploads, leaves younger ones to them
        app.jdbi().useHandle(h -> h.createUpdate("UPDATE upload_session SET state = 'ASSEMBLING', updated_at = :then"
                        + " WHERE id IN (:a, :b)")
                .bind("a", reassemble).bind("b", lost).bind("then", Instant.now().minusSeconds(3600)).execute());
        app.storageFixture().deleteFile(lost);
        app.storageFixture().cutTo(cut, 4_500);    // chunk 2's bytes lost
        long before = audit.lastSeq();

        Reply task = admin().send("POST", "/tasks/recover", null, BodyPublishers.noBody(), Map.of());

        assertThat(task.status()).as(task.body()).isEqualTo(200);
        assertThat(task.body()).contains("sessionsReassembled=1", "sessionsFailed=1", "chunkRowsDropped=1");

        List<AuditEntry> reassembled = audit.forSession(reassemble);
        assertThat(events(reassembled)).containsExactly("session_created", "session_recovered", "session_completed");
        assertAllBy(reassembled.subList(1, 3), "system", null);
        assertThat(reassembled.get(2).bytes()).isEqualTo(intact.length);
        assertThat(reassembled.get(2).detail()).contains(TestFiles.sha256(intact));

        List<AuditEntry> failed = audit.forSession(lost);
        assertThat(events(failed)).containsExactly("session_created", "session_recovered", "session_failed");
        assertAllBy(failed.subList(1, 3), "system", null);
        assertThat(app.session(lost).orElseThrow().state()).isEqualTo(SessionState.FAILED);

        List<AuditEntry> repaired = audit.forSession(cut);
        assertThat(events(repaired)).containsExactly("session_created", "session_recovered");
        assertAllBy(repaired.subList(1, 2), "system", null);
        assertThat(repaired.get(1).detail()).contains("1 chunk row(s) dropped");
        assertThat(repaired.get(1).bytes()).as("bytes kept").isEqualTo(4_500);

        assertThat(audit.after(before)).as("rows of the recovery, and only those").hasSize(5)
                .allSatisfy(row -> assertThat(row.sessionId()).isIn(reassemble, lost, cut));
        audit.assertIntact();
    }

    // ---- authentication and tokens ----

    @Test
    void aGarbageTokenIsOneDeniedRowWithItsAddressAndItsRepeatsWithinTheMinuteAddNone() {
        String garbage = "not-a-token-" + UUID.randomUUID();
        long before = audit.lastSeq();

        Reply refused = http.get("/files/resumables", garbage);

        assertThat(refused.status()).isEqualTo(401);
        List<AuditEntry> appended = audit.after(before);
        assertThat(appended).singleElement().satisfies(row -> {
            assertThat(row.event()).isEqualTo("auth_denied");
            assertThat(row.actor()).isEqualTo("anonymous");
            assertThat(row.remoteAddr()).isEqualTo(LOOPBACK);
            assertThat(row.sessionId()).isNull();
            assertThat(row.detail()).isEqualTo("malformed token");
        });

        long afterFirst = audit.lastSeq();
        for (int i = 0; i < 20; i++) {
            assertThat(http.patch("/files/stream/x.bin?chunk=1", garbage + i, new byte[10]).status()).isEqualTo(401);
        }
        assertThat(audit.after(afterFirst)).as("repeats within the minute are counted, not written").isEmpty();
        audit.assertIntact();
    }

    /**
     * The repeats are not lost: once the minute is over, their count is a row of its own, written
     * by the next refusal or by the sweep's flush. (A clock of the test's own stands in for time.)
     */
    @Test
    void theRepeatsOfAMinuteBecomeOneCountedRowWhenItIsOver() {
        MovableClock clock = new MovableClock(Instant.now());
        DenialLog denials = new DenialLog(new Ledger(app.jdbi(), clock));
        long before = audit.lastSeq();

        for (int i = 0; i < 21; i++) {
            denials.denied("192.0.2.7", "bad signature");
        }
        denials.denied("192.0.2.8", "bad signature");
        assertThat(audit.after(before)).extracting(AuditEntry::remoteAddr).containsExactly("192.0.2.7", "192.0.2.8");

        clock.advance(Duration.ofSeconds(61));
        long beforeFlush = audit.lastSeq();
        denials.flush();

        assertThat(audit.after(beforeFlush)).singleElement().satisfies(row -> {
            assertThat(row.event()).isEqualTo("auth_denied");
            assertThat(row.remoteAddr()).isEqualTo("192.0.2.7");
            assertThat(row.detail()).startsWith("20 more within a minute").endsWith("bad signature");
        });
        long afterFlush = audit.lastSeq();
        denials.flush();
        assertThat(audit.after(afterFlush)).as("a count is written once").isEmpty();

        // the next refusal after the minute starts a new window, and writes its row at once
        denials.denied("192.0.2.7", "bad signature");
        assertThat(audit.after(afterFlush)).extracting(AuditEntry::detail).containsExactly("bad signature");
        audit.assertIntact();
    }

    @Test
    void anIssuedTokenIsRecordedWithWhoIssuedIt() {
        long before = audit.lastSeq();

        TokenService.Issued issued = app.tokens().issue("audit-issued", List.of("issued-group"),
                Set.of(Caller.UPLOADER), Duration.ofHours(1), Actor.cli("token-create"));

        assertThat(audit.after(before)).singleElement().satisfies(row -> {
            assertThat(row.event()).isEqualTo("token_issued");
            assertThat(row.actor()).isEqualTo("cli:token-create");
            assertThat(row.sessionId()).isNull();
            assertThat(row.detail()).contains(issued.record().jti()).contains("audit-issued");
        });
        audit.assertIntact();
    }

    @Test
    void aRevokedTokenIsRecordedAndItsNextRequestIsDenied() {
        TokenService.Issued issued = app.tokens().issue("audit-revoked", List.of("revoked-group"),
                Set.of(Caller.UPLOADER), Duration.ofHours(1), Actor.cli("token-create"));
        String jti = issued.record().jti();
        assertThat(http.get("/files/resumables", issued.token()).status()).isEqualTo(200);
        long before = audit.lastSeq();

        assertThat(app.tokens().revoke(jti, Actor.cli("token-revoke"))).isEqualTo(1);

        assertThat(audit.after(before)).singleElement().satisfies(row -> {
            assertThat(row.event()).isEqualTo("token_revoked");
            assertThat(row.actor()).isEqualTo("cli:token-revoke");
            assertThat(row.detail()).contains(jti).contains("audit-revoked");
        });
        long afterRevoke = audit.lastSeq();
        assertThat(app.tokens().revoke(jti, Actor.cli("token-revoke"))).as("revoking again changes nothing").isZero();
        assertThat(audit.after(afterRevoke)).isEmpty();

        assertThat(http.get("/files/resumables", issued.token()).status()).isEqualTo(401);

        assertThat(audit.after(afterRevoke)).singleElement().satisfies(row -> {
            assertThat(row.event()).isEqualTo("auth_denied");
            assertThat(row.remoteAddr()).isEqualTo(LOOPBACK);
            assertThat(row.detail()).contains("revoked").contains(jti);
        });
        audit.assertIntact();
    }

    // ---- the whole trail ----

    /** Last: after everything above, the service's own verification finds the chain intact. */
    @Test
    @Order(Integer.MAX_VALUE)
    void afterAllOfItTheChainIsIntactAndHoldsEveryKindOfEvent() {
        var verification = audit.assertIntact();

        assertThat(verification.summary()).matches("audit chain intact: \\d+ rows, head \\d+ [0-9a-f]{64}");
        assertThat(verification.headHash()).isEqualTo(audit.head().hash());
        Set<String> seen = audit.after(0).stream().map(AuditEntry::event).collect(Collectors.toSet());
        assertThat(seen).containsAll(Stream.of(AuditEvent.SESSION_CREATED, AuditEvent.SESSION_COMPLETION_DUE,
                        AuditEvent.SESSION_ASSEMBLING, AuditEvent.SESSION_COMPLETED, AuditEvent.SESSION_ABORTED,
                        AuditEvent.SESSION_EXPIRED, AuditEvent.SESSION_FAILED, AuditEvent.SESSION_RECOVERED,
                        AuditEvent.AUTH_DENIED, AuditEvent.TOKEN_ISSUED, AuditEvent.TOKEN_REVOKED)
                .map(AuditEvent::code).toList());
    }

    // ---- helpers ----

    private static void assertAllAbout(List<AuditEntry> rows, String id, String protocol, String filename,
                                       String group) {
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.sessionId()).isEqualTo(id);
            assertThat(row.protocol()).isEqualTo(protocol);
            assertThat(row.filename()).isEqualTo(filename);
            assertThat(row.groupName()).isEqualTo(group);
        });
    }

    private static void assertAllBy(List<AuditEntry> rows, String actor, String address) {
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.actor()).as("actor of %s", row.event()).isEqualTo(actor);
            assertThat(row.remoteAddr()).as("address of %s", row.event()).isEqualTo(address);
        });
    }

    private static void assertInTimeOrder(List<AuditEntry> rows) {
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).occurredAt()).as("time of %s", rows.get(i).event())
                    .isAfterOrEqualTo(rows.get(i - 1).occurredAt());
        }
    }

    private String twoChunks(String token, String filename, byte[] file) {
        int half = file.length / 2;
        String id = created(http.patch("/files/stream/" + filename + "?chunk=1", token, slice(file, 0, half)));
        assertThat(http.patch("/files/stream/" + filename + "?chunk=2&id=" + id, token, slice(file, half, file.length))
                .status()).isEqualTo(201);
        return id;
    }

    private Reply tusPatch(String token, String id, long offset, byte[] body) {
        return http.send("PATCH", "/files/tus/" + id, token, BodyPublishers.ofByteArray(body), Map.of(
                "Tus-Resumable", "1.0.0",
                "Upload-Offset", Long.toString(offset),
                "Content-Type", "application/offset+octet-stream"));
    }

    private Http admin() {
        return new Http(app.adminUrl());
    }

    private static String created(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.text("id");
    }

    private static String header(Reply reply, String name) {
        return reply.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " header: " + reply.headers()));
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    /** A clock that stands still until the test moves it. */
}

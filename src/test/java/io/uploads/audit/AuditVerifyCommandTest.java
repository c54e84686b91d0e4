package io.uploads.audit;

import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.cli.InProcessCommand;
import io.uploads.core.AuditEntry;
import io.uploads.db.AuditChainDao;
import io.uploads.db.AuditDao;
import io.uploads.ledger.AuditChain;
import io.uploads.ledger.AuditTrail;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import io.uploads.testing.SeparateJvm.Result;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §6: {@code audit-verify [--expect-head <hash>]}, run in its own JVM beside the service, on an
 * intact trail and on trails tampered with by SQL: an edited row, a deleted row, two rows whose
 * contents were swapped, and a trail cut back before a head recorded earlier. The admin port's
 * {@code POST /tasks/audit-verify} answers the same line. Two cases run the command as a user does,
 * in a JVM of its own with config.yml; the others run it in this JVM ({@link InProcessCommand}).
 *
 * <p>Each test tampers with the one service's trail: the table is saved before each test and put
 * back after it, and the restored trail must verify intact again.
 */
abstract class AuditVerifyCommandTest extends AppTestBase {

    private static final Pattern INTACT = Pattern.compile("audit chain intact: (\\d+) rows, head (\\d+) ([0-9a-f]{64})");
    private static final String BROKEN = "audit chain BROKEN: ";

    private Map<String, String> env;
    private InProcessCommand cli;
    private String token;
    private AuditRows audit;
    private AuditDao.Head savedHead;

    @BeforeAll
    void fillTheTrail() {
        env = SeparateJvm.envOf(app);
        cli = new InProcessCommand(app);
        audit = new AuditRows(app.jdbi());
        token = app.token("verifier", "verify-group");
        upload("first.bin", 1);
        upload("second.bin", 2);
        String aborted = http.patch("/files/stream/aborted.bin?chunk=1", token, new byte[100]).text("id");
        assertThat(http.delete("/files/resumables/aborted.bin?id=" + aborted, token).status()).isEqualTo(200);
        assertThat(http.get("/files/resumables", "garbage").status()).isEqualTo(401);
        // bootstrap admin token, the test's token, 2 x 3 upload rows, created + aborted, denied
        assertThat(audit.count()).isGreaterThanOrEqualTo(11);
    }

    @AfterAll
    void closeTheCommandsConnections() throws Exception {
        cli.close();
    }

    @BeforeEach
    void saveTheTrail() {
        app.jdbi().useTransaction(h -> {
            h.execute("CREATE TABLE audit_saved AS SELECT * FROM audit_event");
            savedHead = h.attach(AuditDao.class).head();
        });
        audit.assertIntact();
    }

    @AfterEach
    void restoreTheTrail() {
        app.jdbi().useTransaction(h -> {
            h.execute("DELETE FROM audit_event");
            h.execute("INSERT INTO audit_event SELECT * FROM audit_saved");
            h.attach(AuditChainDao.class).moveHead(savedHead.seq(), savedHead.hash());
            h.execute("DROP TABLE audit_saved");
        });
        audit.assertIntact();
    }

    @Test
    void anIntactTrailExitsZeroWithItsRowCountAndHeadOnTheLastLine() {
        Result verified = SeparateJvm.commandAnyExit(env, "audit-verify");

        assertThat(verified.exitCode()).as(verified.describe()).isZero();
        Matcher line = INTACT.matcher(verified.lastLine());
        assertThat(line.matches()).as("last line: %s", verified.lastLine()).isTrue();
        long rows = audit.count();
        assertThat(Long.parseLong(line.group(1))).as("rows").isEqualTo(rows);
        assertThat(Long.parseLong(line.group(2))).as("head seq").isEqualTo(rows).isEqualTo(audit.lastSeq());
        assertThat(line.group(3)).as("head hash").isEqualTo(row(rows).hash()).isEqualTo(audit.head().hash());
        assertThat(adminTask(null)).isEqualTo(verified.lastLine());
    }

    @Test
    void anEditedRowIsNamedBySeq() {
        long edited = audit.count() / 2;
        assertThat(update("UPDATE audit_event SET detail = 'nothing happened here' WHERE seq = :seq", edited))
                .isEqualTo(1);

        Result verified = SeparateJvm.commandAnyExit(env, "audit-verify");

        assertBrokenNaming(verified, edited);
        assertThat(adminTask(null)).isEqualTo(verified.lastLine());
    }

    @Test
    void aDeletedMiddleRowIsNamedAsMissing() {
        long deleted = audit.count() / 2;
        assertThat(update("DELETE FROM audit_event WHERE seq = :seq", deleted)).isEqualTo(1);

        Result verified = cli.commandAnyExit("audit-verify");

        assertBrokenNaming(verified, deleted);
        assertThat(verified.lastLine()).contains("missing");
    }

    @Test
    void twoRowsWithSwappedContentsAreNamedByTheFirst() {
        long first = 3;
        long second = audit.count() - 1;
        AuditEntry a = row(first);
        AuditEntry b = row(second);
        assertThat(a.event()).isNotEqualTo(b.event());
        app.jdbi().useTransaction(h -> {
            overwrite(h, first, b);
            overwrite(h, second, a);
        });

        Result verified = cli.commandAnyExit("audit-verify");

        assertBrokenNaming(verified, first);
    }

    /**
     * A careful attacker deletes the newest rows and moves the head back to the last row kept:
     * what is left is a valid chain, so only a head recorded before the cut can tell.
     */
    @Test
    void aTrailCutBackBeforeARecordedHeadPassesPlainVerifyButNotItsExpectedHead() {
        Matcher recorded = INTACT.matcher(cli.command("audit-verify").lastLine());
        assertThat(recorded.matches()).isTrue();
        long recordedSeq = Long.parseLong(recorded.group(2));
        String recordedHash = recorded.group(3);
        upload("later.bin", 3);
        upload("latest.bin", 4);
        assertThat(audit.lastSeq()).isGreaterThan(recordedSeq);
        Result stillThere = cli.commandAnyExit("audit-verify", "--expect-head", recordedHash);
        assertThat(stillThere.exitCode()).as(stillThere.describe()).isZero();
        assertThat(stillThere.lastLine()).matches(INTACT);

        AuditEntry kept = row(recordedSeq - 1);
        app.jdbi().useTransaction(h -> {
            h.createUpdate("DELETE FROM audit_event WHERE seq >= :seq").bind("seq", recordedSeq).execute();
            h.attach(AuditChainDao.class).moveHead(kept.seq(), kept.hash());
        });

        Result plain = cli.commandAnyExit("audit-verify");
        assertThat(plain.exitCode()).as(plain.describe()).isZero();
        assertThat(plain.lastLine()).isEqualTo("audit chain intact: " + kept.seq() + " rows, head " + kept.seq() + " "
                + kept.hash());

        Result expecting = cli.commandAnyExit("audit-verify", "--expect-head", recordedHash);
        assertThat(expecting.exitCode()).as(expecting.describe()).isNotZero();
        assertThat(expecting.lastLine()).startsWith(BROKEN).contains(recordedHash);
        assertThat(adminTask(recordedHash)).isEqualTo(expecting.lastLine());
    }

    /**
     * A row inserted past the chain's head, the head left where it was: the table holds a row
     * that the chain does not, so the trail is not intact. (Until it is removed, every append
     * takes the same seq and fails: no upload can be recorded.)
     */
    @Test
    void aRowInsertedPastTheHeadIsNamed() {
        AuditDao.Head head = audit.head();
        AuditEntry forged = AuditChain.link(new AuditEntry(0, Instant.now(), "mallory", "admin_action", null, null,
                null, null, null, null, "nothing to see", null, null), head.seq(), head.hash());
        app.jdbi().useHandle(h -> h.attach(AuditChainDao.class).insert(forged));

        Result verified = cli.commandAnyExit("audit-verify");

        assertBrokenNaming(verified, forged.seq());
    }

    // ---- helpers ----

    private void assertBrokenNaming(Result verified, long seq) {
        assertThat(verified.exitCode()).as(verified.describe()).isNotZero();
        assertThat(verified.lastLine()).startsWith(BROKEN);
        Matcher named = Pattern.compile("row (\\d+)").matcher(verified.lastLine());
        assertThat(named.find()).as("a row named in: %s", verified.lastLine()).isTrue();
        assertThat(Long.parseLong(named.group(1))).as("the first row named in: %s", verified.lastLine()).isEqualTo(seq);
        AuditTrail.Verification inProcess = new AuditTrail(app.jdbi()).verify(null);
        assertThat(inProcess.summary()).isEqualTo(verified.lastLine());
    }

    /** The admin task's answer, one line. */
    private String adminTask(String expectHead) {
        String query = expectHead == null ? "" : "?expect-head=" + URLEncoder.encode(expectHead, StandardCharsets.UTF_8);
        Reply reply = new Http(app.adminUrl()).send("POST", "/tasks/audit-verify" + query, null,
                BodyPublishers.noBody(), Map.of());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.body().trim();
    }

    private void upload(String filename, long seed) {
        byte[] file = randomBytes(3_000, seed);
        Reply first = http.patch("/files/stream/" + filename + "?chunk=1", token, Arrays.copyOf(file, 2_000));
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String id = first.text("id");
        assertThat(http.patch("/files/stream/" + filename + "?chunk=2&id=" + id, token,
                Arrays.copyOfRange(file, 2_000, 3_000)).status()).isEqualTo(201);
        assertThat(http.patch("/files/stream/" + filename + "?chunk=end&id=" + id, token, new byte[0]).status())
                .isEqualTo(201);
    }

    private AuditEntry row(long seq) {
        return app.jdbi().onDemand(AuditDao.class).page(seq - 1, seq, 1).get(0);
    }

    private int update(String sql, long seq) {
        return app.jdbi().withHandle(h -> h.createUpdate(sql).bind("seq", seq).execute());
    }

    /** Row {@code seq} gets every column of {@code content} but its seq. */
    private static void overwrite(Handle h, long seq, AuditEntry content) {
        int changed = h.createUpdate("""
                        UPDATE audit_event SET occurred_at = :occurredAt, actor = :actor, event = :event,
                            session_id = :sessionId, protocol = :protocol, filename = :filename, group_name = :groupName,
                            bytes = :bytes, remote_addr = :remoteAddr, detail = :detail, prev_hash = :prevHash,
                            hash = :hash
                        WHERE seq = :target
                        """)
                .bindMethods(content)
                .bind("target", seq)
                .execute();
        assertThat(changed).isEqualTo(1);
    }
}

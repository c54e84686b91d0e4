package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.SignedJWT;
import io.uploads.auth.TokenRecord;
import io.uploads.auth.TokenService.Issued;
import io.uploads.core.Actor;
import io.uploads.core.Caller;
import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5: who may do what. Bad credentials answer 401 JSON; another principal's session does not
 * exist for you (404) and is left alone; a group outside the token's groups is 403.
 */
abstract class AccessControlTest extends AppTestBase {

    private String alice;
    private String bob;
    private final byte[] chunk = randomBytes(10_000);

    @BeforeAll
    void issueTokens() {
        alice = app.token("alice", "alice-group");
        bob = app.token("bob", "bob-group");
    }

    @Test
    void noAuthorizationIs401() {
        assertUnauthorized(http.get("/files/resumables", null));
        assertUnauthorized(http.patch("/files/stream/anonymous.bin?chunk=1", null, chunk));
        assertThat(openSessionIds("anonymous.bin")).isEmpty();
    }

    @Test
    void aGarbageTokenIs401() {
        assertUnauthorized(http.get("/files/resumables", "not-a-token"));
        assertUnauthorized(http.get("/files/resumables", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"));
    }

    @Test
    void aTokenSignedWithAnotherKeyIs401() throws Exception {
        String genuine = issue("alice", Duration.ofHours(1)).token();
        SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), SignedJWT.parse(genuine).getJWTClaimsSet());
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        forged.sign(new MACSigner(otherKey));

        assertThat(http.get("/files/resumables", genuine).status()).isEqualTo(200);
        assertUnauthorized(http.get("/files/resumables", forged.serialize()));
    }

    @Test
    void anExpiredTokenIs401() {
        assertUnauthorized(http.get("/files/resumables", issue("alice", Duration.ofSeconds(-1)).token()));
    }

    @Test
    void aRevokedTokenIs401() {
        Issued issued = issue("alice", Duration.ofHours(1));
        assertThat(http.get("/files/resumables", issued.token()).status()).isEqualTo(200);

        app.tokens().revoke(issued.record().jti(), Actor.cli("token-revoke"));

        assertUnauthorized(http.get("/files/resumables", issued.token()));
    }

    @Test
    void basicAuthWithTheTokenAsPasswordWorks() {
        assertThat(http.send("GET", "/files/resumables", null, BodyPublishers.noBody(), basic("alice", alice)).status())
                .isEqualTo(200);
        assertUnauthorized(http.send("GET", "/files/resumables", null, BodyPublishers.noBody(), basic("alice", "wrong")));
    }

    @Test
    void anotherPrincipalsSessionAnswers404AndIsLeftUntouched() {
        Reply started = http.patch("/files/stream/private.bin?chunk=1", alice, chunk);
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        String id = started.text("id");
        UploadSession sessionBefore = app.session(id).orElseThrow();
        List<Chunk> chunksBefore = app.chunks(id);

        assertNotFound(http.get("/files/resumables/private.bin?id=" + id, bob));
        assertNotFound(http.get("/files/resumables/private.bin", bob));
        assertNotFound(http.patch("/files/stream/private.bin?chunk=1&id=" + id, bob, chunk));
        assertNotFound(http.patch("/files/stream/private.bin?chunk=2&id=" + id, bob, chunk));
        assertNotFound(http.patch("/files/stream/private.bin?chunk=end&id=" + id, bob, new byte[0]));
        assertNotFound(http.delete("/files/resumables/private.bin?id=" + id, bob));
        assertNotFound(http.delete("/files/resumables?id=" + id, bob));
        Reply bobsList = http.get("/files/resumables", bob);
        assertThat(bobsList.status()).isEqualTo(200);
        assertThat(bobsList.json().get("resumables").findValuesAsText("id")).doesNotContain(id);

        assertThat(app.session(id)).contains(sessionBefore);
        assertThat(app.chunks(id)).isEqualTo(chunksBefore);
        assertThat(http.get("/files/resumables/private.bin?id=" + id, alice).status()).isEqualTo(200);
    }

    @Test
    void startingAnUploadInAForeignGroupIs403AndCreatesNothing() {
        assertForbidden(http.patch("/files/stream/foreign.bin?chunk=1&group=alice-group", bob, chunk));
        assertForbidden(http.patch("/v1/p11/files/stream/alice-group/foreign.bin?chunk=1", bob, chunk));

        assertThat(openSessionIds("foreign.bin")).isEmpty();
    }

    @Test
    void endingOrContinuingAnUploadIntoAForeignGroupIs403AndLeavesTheSessionOpen() {
        Reply started = http.patch("/files/stream/ending.bin?chunk=1", bob, chunk);
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        String id = started.text("id");

        assertForbidden(http.patch("/files/stream/ending.bin?chunk=2&id=" + id + "&group=alice-group", bob, chunk));
        assertForbidden(http.patch("/files/stream/ending.bin?chunk=end&id=" + id + "&group=alice-group", bob,
                new byte[0]));
        assertForbidden(http.send("PATCH", "/v1/p11/files/stream/alice-group/ending.bin?chunk=end&id=" + id
                + "&group=alice-group", bob, BodyPublishers.noBody(), Map.of("Modified-Time", "None")));

        UploadSession session = app.session(id).orElseThrow();
        assertThat(session.state()).isEqualTo(SessionState.OPEN);
        assertThat(session.groupName()).isEqualTo("bob-group");
        assertThat(session.maxChunk()).isEqualTo(1);
        assertThat(app.storage().resolve("files").resolve("alice-group").resolve("ending.bin")).doesNotExist();
    }

    @Test
    void theFirstStartCreatedExactlyOneAdminToken() {
        assertThat(app.tokens().list()).filteredOn(t -> t.principal().equals("admin"))
                .singleElement()
                .extracting(TokenRecord::roles).satisfies(roles -> assertThat(roles).contains(Caller.ADMIN));
    }

    private Issued issue(String principal, Duration ttl) {
        return app.tokens().issue(principal, List.of(principal + "-group"), Set.of(Caller.UPLOADER), ttl,
                Actor.cli("token-create"));
    }

    /** Ids of the open sessions, of anyone, for this filename. */
    private List<String> openSessionIds(String filename) {
        return app.jdbi().withHandle(h -> h.createQuery(
                        "SELECT id FROM upload_session WHERE filename = :filename AND state = 'OPEN'")
                .bind("filename", filename).mapTo(String.class).list());
    }

    private static Map<String, String> basic(String user, String password) {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return Map.of("Authorization", "Basic " + credentials);
    }

    private static void assertUnauthorized(Reply reply) {
        assertStatusAsJson(reply, 401);
    }

    private static void assertForbidden(Reply reply) {
        assertStatusAsJson(reply, 403);
    }

    private static void assertNotFound(Reply reply) {
        assertStatusAsJson(reply, 404);
    }

    /** The status, and the JSON error body every refusal carries. */
    private static void assertStatusAsJson(Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json()).as("JSON body: " + reply.body()).isNotNull();
        assertThat(reply.json().get("code").asInt()).isEqualTo(status);
        assertThat(reply.text("message")).isNotBlank();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }
}

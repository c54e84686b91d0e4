package io.uploads.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.SeparateJvm;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §2, §5: the token commands, run in a JVM of their own against the top-level config.yml
 * while the service runs on the same database, issue tokens the running service accepts and a
 * TSD client can read, list them, and revoke them with immediate effect.
 */
abstract class TokenCommandsTest extends AppTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Map<String, String> env;

    @BeforeAll
    void pointCommandsAtTheService() {
        env = SeparateJvm.envOf(app);
    }

    @Test
    void tokenCreateIssuesAWorkingReadableTokenThatTokenListShowsAndTokenRevokeKills() throws IOException {
        String token = createWorkingToken("--principal", "bob", "--groups", "bob-group,other");

        JsonNode claims = claimsAsTheTsdClientReadsThem(token);
        assertThat(claims.get("sub").asText()).isEqualTo("bob");
        assertThat(texts(claims.get("groups"))).containsExactly("bob-group", "other");
        assertThat(texts(claims.get("roles"))).containsExactly("uploader");
        assertThat(claims.get("exp").isIntegralNumber()).isTrue();
        assertThat(claims.get("exp").asLong()).isGreaterThan(Instant.now().getEpochSecond());
        String jti = claims.get("jti").asText();
        assertThat(jti).isNotBlank();

        List<String> listed = SeparateJvm.command(env, "token-list").stdout();
        assertThat(listed).anySatisfy(line -> assertThat(line).startsWith(jti).contains("bob").endsWith("valid"));

        SeparateJvm.command(env, "token-revoke", "--principal", "bob");
        assertThat(http.get("/files/resumables", token).status()).isEqualTo(401);
    }

    @Test
    void theAdminFlagAddsTheAdminRole() throws IOException {
        String token = createWorkingToken("--principal", "carol", "--groups", "carol-group", "--admin");

        JsonNode claims = claimsAsTheTsdClientReadsThem(token);
        assertThat(texts(claims.get("roles"))).containsExactlyInAnyOrder("uploader", "admin");
        String jti = claims.get("jti").asText();
        assertThat(app.tokens().list()).filteredOn(t -> t.jti().equals(jti)).singleElement()
                .satisfies(t -> assertThat(t.roles()).containsExactlyInAnyOrder("uploader", "admin"));
    }

    /** Runs token-create; its last line of output must be a token the running service accepts. */
    private String createWorkingToken(String... options) {
        SeparateJvm.Result created = SeparateJvm.command(env, "token-create", options);
        String token = created.lastLine();
        Reply reply = http.get("/files/resumables", token);
        assertThat(reply.status()).as("the service's answer to token-create's last line: %s%n%s", reply.body(),
                created.describe()).isEqualTo(200);
        return token;
    }

    /**
     * The TSD client splits the token at its dots and decodes the payload with the standard
     * base64 decoder after padding it with '=': a '-' or '_' in it would make that throw.
     */
    private static JsonNode claimsAsTheTsdClientReadsThem(String token) throws IOException {
        String[] parts = token.split("\\.");
        assertThat(parts).as("a JWT has three parts: " + token).hasSize(3);
        String payload = parts[1] + "=".repeat((4 - parts[1].length() % 4) % 4);
        return JSON.readTree(Base64.getDecoder().decode(payload));
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as(array + " is an array").isTrue();
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}

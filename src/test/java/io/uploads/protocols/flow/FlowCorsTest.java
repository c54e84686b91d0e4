package io.uploads.protocols.flow;

import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.Http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5 "CORS configurable for browser clients", for flow.js in a page of another origin: the
 * preflight of a chunk carrying {@code Authorization} is answered before authentication, and only
 * the configured origin is let in.
 */
abstract class FlowCorsTest extends AppTestBase {

    private static final String ALLOWED = "https://app.example.com";
    private static final String OTHER = "https://evil.example.org";

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {
                ConfigOverride.config("cors.allowedOrigins", ALLOWED),
                ConfigOverride.config("cors.preflightMaxAge", "10 minutes")};
    }

    @Test
    void preflightFromTheAllowedOriginAllowsTheAuthorizationHeader() {
        Reply preflight = preflight(ALLOWED, "POST", "authorization");

        assertThat(preflight.status()).as(preflight.body()).isEqualTo(200);
        assertThat(header(preflight, "Access-Control-Allow-Origin")).contains(ALLOWED);
        assertThat(listHeader(preflight, "Access-Control-Allow-Headers")).anyMatch("authorization"::equalsIgnoreCase);
        assertThat(listHeader(preflight, "Access-Control-Allow-Methods")).contains("POST");
        assertThat(header(preflight, "Access-Control-Max-Age")).contains("600");
    }

    @Test
    void preflightOfTheTestGetIsAllowedToo() {
        Reply preflight = preflight(ALLOWED, "GET", "authorization");

        assertThat(preflight.status()).isEqualTo(200);
        assertThat(header(preflight, "Access-Control-Allow-Origin")).contains(ALLOWED);
        assertThat(listHeader(preflight, "Access-Control-Allow-Methods")).contains("GET");
    }

    @Test
    void preflightFromAnotherOriginIsNotAllowed() {
        Reply preflight = preflight(OTHER, "POST", "authorization");

        assertThat(header(preflight, "Access-Control-Allow-Origin")).isEmpty();
        assertThat(header(preflight, "Access-Control-Allow-Headers")).isEmpty();
    }

    @Test
    void answersToThePageOfTheAllowedOriginAreReadableByIt() {
        FlowStyleClient client = new FlowStyleClient(app.baseUrl(), app.token("cors-chunk", "cors-group"));
        FlowFile file = FlowFile.of("cors.bin", randomBytes(1_000, 1), 1024);

        Reply test = client.withHeader("Origin", ALLOWED).test(file, 1);
        Reply sent = client.withHeader("Origin", ALLOWED).send(file, 1);
        Reply foreign = client.withHeader("Origin", OTHER).test(file, 1);

        assertThat(test.status()).isEqualTo(204);
        assertThat(header(test, "Access-Control-Allow-Origin")).contains(ALLOWED);
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        assertThat(header(sent, "Access-Control-Allow-Origin")).contains(ALLOWED);
        assertThat(header(foreign, "Access-Control-Allow-Origin")).isEmpty();
    }

    private Reply preflight(String origin, String method, String requestHeaders) {
        return http.send("OPTIONS", "/flow", null, BodyPublishers.noBody(), Map.of(
                "Origin", origin,
                "Access-Control-Request-Method", method,
                "Access-Control-Request-Headers", requestHeaders));
    }

    private static Optional<String> header(Reply reply, String name) {
        return reply.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream())
                .findFirst();
    }

    private static List<String> listHeader(Reply reply, String name) {
        return header(reply, name).map(v -> Arrays.stream(v.split(",")).map(String::trim).toList()).orElse(List.of());
    }
}

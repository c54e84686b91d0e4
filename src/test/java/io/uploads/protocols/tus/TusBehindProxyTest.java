package io.uploads.protocols.tus;

import static io.uploads.protocols.tus.TusTesting.header;
import static io.uploads.protocols.tus.TusTesting.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.Test;

/**
 * Behind a TLS-terminating reverse proxy ({@code USE_FORWARDED_HEADERS=true}), the upload URL a
 * tus client is given must point at the proxy, or the client's next request misses the server.
 */
abstract class TusBehindProxyTest extends AppTestBase {

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {
                ConfigOverride.config("server.applicationConnectors[0].useForwardedHeaders", "true")};
    }

    @Test
    void locationFollowsTheForwardedSchemeAndHost() {
        String token = app.token("proxied", "proxied-group");

        Reply created = http.send("POST", TusTesting.CREATION_PATH, token, BodyPublishers.noBody(), headers(
                "Tus-Resumable", "1.0.0", "Upload-Length", "10",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "uploads.example.org"));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(header(created, "Location")).matches("https://uploads\\.example\\.org/files/tus/[0-9a-f-]{36}");
    }
}

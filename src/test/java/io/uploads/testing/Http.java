package io.uploads.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A small HTTP client for tests: PATCH included, JSON answers parsed, token as Bearer. */
public final class Http {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String baseUrl;

    public Http(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** Status, parsed JSON body (null when the body is not JSON), raw body and headers. */
    public record Reply(int status, @Nullable JsonNode json, String body, Map<String, java.util.List<String>> headers) {
        public String text(String field) {
            JsonNode node = json == null ? null : json.get(field);
            return node == null || node.isNull() ? null : node.asText();
        }
    }

    public Reply patch(String pathAndQuery, @Nullable String token, byte[] body) {
        return send("PATCH", pathAndQuery, token, BodyPublishers.ofByteArray(body), Map.of());
    }

    public Reply put(String pathAndQuery, @Nullable String token, byte[] body) {
        return send("PUT", pathAndQuery, token, BodyPublishers.ofByteArray(body), Map.of());
    }

    public Reply get(String pathAndQuery, @Nullable String token) {
        return send("GET", pathAndQuery, token, BodyPublishers.noBody(), Map.of());
    }

    public Reply delete(String pathAndQuery, @Nullable String token) {
        return send("DELETE", pathAndQuery, token, BodyPublishers.noBody(), Map.of());
    }

    /** Any request; {@code headers} may carry {@code Authorization} itself (then pass a null token). */
    public Reply send(String method, String pathAndQuery, @Nullable String token, BodyPublisher body,
                      Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofMinutes(5))
                .method(method, body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), BodyHandlers.ofString());
            return new Reply(response.statusCode(), parse(response.body()), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends {@code head} (request line and headers, each ended by CRLF) as it is, on a connection
     * of its own, and reads the answer until the server closes it: for what HttpClient refuses to
     * send, such as a malformed header.
     */
    public String raw(String head) {
        URI uri = URI.create(baseUrl);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static @Nullable JsonNode parse(String body) {
        try {
            return body.isEmpty() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}

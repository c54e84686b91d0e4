package io.uploads.protocols;

import io.uploads.config.CorsConfig;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.handler.CrossOriginHandler;

/**
 * Jetty's CORS handler, set up for our protocols: preflights for the Authorization header and
 * the tus headers are answered before authentication (browsers send them without credentials),
 * and the response headers the clients must read are exposed.
 */
public final class Cors {

    /** Request headers the browser clients send. */
    static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", "X-Requested-With",
            "X-HTTP-Method-Override", "Tus-Resumable", "Upload-Length", "Upload-Defer-Length", "Upload-Metadata",
            "Upload-Offset", "Upload-Checksum", "Upload-Concat");
    /** Response headers tus-js-client and Uppy read; invisible to scripts unless exposed. */
    static final Set<String> EXPOSED_HEADERS = Set.of("Location", "Tus-Resumable", "Tus-Version", "Tus-Extension",
            "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length", "Upload-Defer-Length",
            "Upload-Metadata", "Upload-Expires");
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private Cors() {}

    public static CrossOriginHandler handler(CorsConfig config) {
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(config.origins().stream()
                .map(origin -> origin.equals("*") ? ".*" : Pattern.quote(origin))
                .collect(Collectors.toSet()));
        cors.setAllowedMethods(METHODS);
        cors.setAllowedHeaders(ALLOWED_HEADERS);
        cors.setExposedHeaders(EXPOSED_HEADERS);
        // tokens travel in the Authorization header, never in cookies
        cors.setAllowCredentials(false);
        cors.setPreflightMaxAge(Duration.ofMillis(config.preflightMaxAge().toMilliseconds()));
        return cors;
    }
}

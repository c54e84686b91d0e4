package io.uploads.protocols;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.util.List;
import org.eclipse.jetty.http.UriCompliance;

/**
 * SPEC §5 allows {@code %} in a filename, and a client sends it as {@code %25} in the path
 * ({@code PATCH /files/stream/50%25.txt}). Jetty 12 refuses that by default as an ambiguous path
 * encoding (decoded a second time, {@code %252F} would become a {@code /}), so the application
 * connectors allow exactly that one ambiguity, on top of whatever {@code uriCompliance} the
 * configuration chose. Encoded {@code /}, {@code \}, NUL and control characters and encoded
 * {@code .}/{@code ..} segments stay refused by Jetty, answered by {@link JsonErrorHandler}. Nothing
 * decodes the path twice: Jersey matches the raw path and decodes the filename parameter once.
 */
public final class PercentInPaths {

    private PercentInPaths() {}

    /** Call from {@code Application.run}: the server is built from these factories afterwards. */
    public static void allow(ServerFactory server, Environment env) {
        for (ConnectorFactory connector : applicationConnectors(server)) {
            if (connector instanceof HttpConnectorFactory http) {
                UriCompliance configured = http.getUriCompliance();
                http.setUriCompliance(configured.with(configured.getName() + "+PERCENT_IN_NAMES",
                        UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
            }
        }
        // Jetty's servlet layer answers 400 "Ambiguous URI encoding" to any ambiguity a connector let
        // through, unless told to decode it; only what the connectors above allow gets that far
        env.getApplicationContext().getServletHandler().setDecodeAmbiguousURIs(true);
    }

    private static List<ConnectorFactory> applicationConnectors(ServerFactory server) {
        if (server instanceof DefaultServerFactory factory) {
            return factory.getApplicationConnectors();
        }
        if (server instanceof SimpleServerFactory factory) {
            return List.of(factory.getConnector());
        }
        throw new IllegalStateException("unknown server type " + server.getClass().getName());
    }
}

package io.uploads.protocols;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * A request refused before its body was read (bad parameter, no token, chunk out of order) still
 * has bytes in flight. Jetty will not read a large remainder and drops the connection instead;
 * announcing that keeps a pooling client from sending its next request into a closed socket, and
 * spares us receiving a chunk we refused.
 */
@Provider
public final class CloseRefusedUploads implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() >= 400 && carriesBody(request)) {
            response.getHeaders().putSingle("Connection", "close");
        }
    }

    private static boolean carriesBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return request.getHeaderString("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }
}

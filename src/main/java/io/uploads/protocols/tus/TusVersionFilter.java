package io.uploads.protocols.tus;

import io.uploads.api.ApiError;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * "The Tus-Resumable header MUST be included in every request and response except for OPTIONS
 * requests. If the Client requests a version which the Server does not support, the Server MUST
 * respond with the 412 Precondition Failed status and MUST include the Tus-Version header."
 */
@TusProtocol
public final class TusVersionFilter implements ContainerRequestFilter, ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getMethod().equals(HttpMethod.OPTIONS)) {
            return;
        }
        String version = request.getHeaderString(TusHeaders.TUS_RESUMABLE);
        if (!TusHeaders.TUS_VERSION_1_0_0.equals(version)) {
            String message = "Tus-Resumable must be " + TusHeaders.TUS_VERSION_1_0_0 + ", not " + version;
            request.abortWith(Response.status(Response.Status.PRECONDITION_FAILED)
                    .header(TusHeaders.TUS_VERSION, TusHeaders.TUS_VERSION_1_0_0)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ApiError(412, message, "tus_version_unsupported"))
                    .build());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle(TusHeaders.TUS_RESUMABLE, TusHeaders.TUS_VERSION_1_0_0);
    }
}

package io.uploads.protocols;

import io.uploads.core.UploadException;
import jakarta.ws.rs.core.Response;

/**
 * How a protocol answers a refusal of the core: its status for each {@link UploadException.Problem},
 * and whatever else its answers must carry. The JSON body is the same everywhere.
 */
public interface ErrorDialect {

    int status(UploadException.Problem problem);

    /** Headers the protocol's every answer carries; none by default. */
    default Response.ResponseBuilder decorate(Response.ResponseBuilder answer) {
        return answer;
    }
}

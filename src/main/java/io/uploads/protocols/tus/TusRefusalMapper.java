package io.uploads.protocols.tus;

import io.uploads.api.ApiError;
import io.uploads.core.UploadException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** tus's answer to a refusal: its own status codes, {@code Tus-Resumable}, and our JSON message. */
@Provider
public final class TusRefusalMapper implements ExceptionMapper<TusRefusal> {

    @Override
    public Response toResponse(TusRefusal refusal) {
        UploadException e = refusal.refusal();
        int status = status(e.problem());
        return Response.status(status)
                .location(refusal.location())
                .header(TusHeaders.TUS_RESUMABLE, TusHeaders.TUS_VERSION_1_0_0)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status, e.getMessage(), e.problem().code()))
                .build();
    }

    static int status(UploadException.Problem problem) {
        return switch (problem) {
            case INVALID_REQUEST, INCOMPLETE_BODY, INCOMPLETE_UPLOAD, CHUNK_ORDER_INCORRECT -> 400;
            case FORBIDDEN_GROUP -> 403;
            case NOT_FOUND -> 404;
            // "If the offsets do not match, the Server MUST respond with the 409 Conflict status"
            case OFFSET_MISMATCH, SESSION_NOT_OPEN, CONCURRENT_CHANGE, FILE_EXISTS -> 409;
            case SESSION_EXPIRED -> 410;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            // the upload is being assembled: it takes no bytes now, and a client may ask again
            case ASSEMBLY_IN_PROGRESS -> 423;
            case TOO_MANY_SESSIONS -> 429;
            case CHECKSUM_MISMATCH -> TusHeaders.CHECKSUM_MISMATCH;
            case BYTES_UNUSABLE -> 500;
            case STORAGE_FULL -> 507;
        };
    }
}

package io.uploads.protocols;

import io.uploads.api.ApiError;
import io.uploads.core.UploadException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** The JSON protocols' answer to a refusal of the core. */
@Provider
public final class UploadExceptionMapper implements ExceptionMapper<UploadException> {

    @Override
    public Response toResponse(UploadException e) {
        int status = status(e.problem());
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status, e.getMessage(), e.problem().code()))
                .build();
    }

    public static int status(UploadException.Problem problem) {
        return switch (problem) {
            case INVALID_REQUEST, CHUNK_ORDER_INCORRECT, CHECKSUM_MISMATCH, OFFSET_MISMATCH, INCOMPLETE_BODY,
                 INCOMPLETE_UPLOAD -> 400;
            case FORBIDDEN_GROUP -> 403;
            case NOT_FOUND -> 404;
            case SESSION_NOT_OPEN, SESSION_EXPIRED, CONCURRENT_CHANGE, ASSEMBLY_IN_PROGRESS, FILE_EXISTS -> 409;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case TOO_MANY_SESSIONS -> 429;
            case BYTES_UNUSABLE -> 500;
            case STORAGE_FULL -> 507;
        };
    }
}

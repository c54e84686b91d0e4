package io.uploads.protocols.tus;

import io.uploads.core.UploadException;
import io.uploads.protocols.ErrorDialect;
import jakarta.ws.rs.core.Response;

/** tus's answer to a refusal: its own status codes, and {@code Tus-Resumable} on every answer. */
public final class TusErrors implements ErrorDialect {

    @Override
    public int status(UploadException.Problem problem) {
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
            case ASSEMBLY_IN_PROGRESS, WRITER_BUSY -> 423;
            case TOO_MANY_SESSIONS -> 429;
            case CHECKSUM_MISMATCH -> TusHeaders.CHECKSUM_MISMATCH;
            case BYTES_UNUSABLE -> 500;
            case STORAGE_FULL -> 507;
        };
    }

    @Override
    public Response.ResponseBuilder decorate(Response.ResponseBuilder answer) {
        return answer.header(TusHeaders.TUS_RESUMABLE, TusHeaders.TUS_VERSION_1_0_0);
    }
}

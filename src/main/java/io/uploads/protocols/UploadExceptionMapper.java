package io.uploads.protocols;

import io.uploads.api.ApiError;
import io.uploads.core.UploadException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/**
 * Answers a refusal of the core in the dialect of the protocol whose resource matched the request
 * (tus answers its own status codes and headers), so no resource wraps its calls to translate
 * them; resources without a dialect of their own answer {@link #JSON}.
 */
@Provider
public final class UploadExceptionMapper implements ExceptionMapper<UploadException> {

    /** The native API's and flow's answers, and the admin API's. */
    public static final ErrorDialect JSON = UploadExceptionMapper::status;

    private final Map<Class<?>, ErrorDialect> dialects;

    @Context
    private ResourceInfo resource;

    /** @param dialects by resource class, for the protocols that answer in their own dialect */
    public UploadExceptionMapper(Map<Class<?>, ErrorDialect> dialects) {
        this.dialects = Map.copyOf(dialects);
    }

    @Override
    public Response toResponse(UploadException e) {
        ErrorDialect dialect = resource == null || resource.getResourceClass() == null ? JSON
                : dialects.getOrDefault(resource.getResourceClass(), JSON);
        int status = dialect.status(e.problem());
        return dialect.decorate(Response.status(status))
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
            case WRITER_BUSY -> 423;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case TOO_MANY_SESSIONS -> 429;
            case BYTES_UNUSABLE -> 500;
            case STORAGE_FULL -> 507;
        };
    }
}

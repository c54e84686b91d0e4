package io.uploads.protocols;

import io.uploads.core.UploadException;
import jakarta.ws.rs.core.HttpHeaders;

/** What every protocol needs to know about a request body before reading it. */
public final class RequestBodies {

    private RequestBodies() {}

    /** The declared Content-Length, or -1 when the body is chunked. */
    public static long contentLength(HttpHeaders headers) {
        String raw = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (raw == null) {
            return -1;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new UploadException(UploadException.Problem.INVALID_REQUEST, "Content-Length is not a number");
        }
    }
}

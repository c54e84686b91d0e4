package io.uploads.protocols;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.uploads.api.ApiError;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Requests Jetty refuses before they reach a resource (an encoded {@code /}, {@code \} or control
 * character in the path, a malformed request line) are answered in the same JSON shape as every
 * other error. Jetty's own handler writes bodies only for GET and POST and then as HTML, so a
 * PATCH with a bad filename would otherwise get an empty 400.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty may drop a connection whose request it could not parse; say so, or a pooling
        // client sends its next request into a closed socket
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (fields != null) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        return ByteBuffer.wrap(body(status, reason));
    }

    private static byte[] body(int code, String message) {
        String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        if (code == HttpStatus.BAD_REQUEST_400) {
            // refused before any resource saw it: in this API that is the path, and so the filename
            text = "the request path is refused (" + text + "): a filename is one path segment without '/', '\\', "
                    + "control characters, and not '.' or '..'";
        }
        try {
            return JSON.writeValueAsBytes(new ApiError(code, text, code == 400 ? "invalid_request" : null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body is always serialisable", e);
        }
    }
}

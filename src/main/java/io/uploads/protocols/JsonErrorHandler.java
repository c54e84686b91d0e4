package io.uploads.protocols;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.uploads.api.ApiError;
import io.uploads.protocols.tus.TusHeaders;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Requests Jetty refuses before they reach a resource (an encoded {@code /}, {@code \} or control
 * character in the path, a malformed request line or header) are answered in the same JSON shape
 * as every other error. Jetty's own handler writes bodies only for GET and POST and then as
 * HTML, so a PATCH with a bad filename would otherwise get an empty 400.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TUS_PATH = "/files/tus";
    /** Jetty's reasons for refusing a path name it ("Ambiguous URI path separator", "Suspicious Path Character"). */
    private static final Pattern PATH_REASON = Pattern.compile("(?i)\\buri\\b|\\bpath\\b");
    /** What the servlet layer refuses in a path without saying why: encoded control characters, separators, dots. */
    private static final Pattern REFUSED_IN_PATH = Pattern.compile("(?i)%(?:[01][0-9a-f]|7f|2f|5c|2e)|\\\\");

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
        // the path as it came, still encoded
        String path = String.valueOf(request.getHttpURI().getPath());
        // tus requires its version on every answer, this one too
        if (path.startsWith(TUS_PATH)) {
            response.getHeaders().put(TusHeaders.TUS_RESUMABLE, TusHeaders.TUS_VERSION_1_0_0);
        }
        // a URI it cannot parse at all, Jetty replaces by a placeholder and refuses without a reason
        boolean pathRefused = REFUSED_IN_PATH.matcher(path).find()
                || cause instanceof BadMessageException && withoutReason(code, message);
        response.write(true, ByteBuffer.wrap(body(code, message, pathRefused)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (fields != null) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        // the parser names what it refused in a header; a path it refuses (an encoded NUL) it does not
        return ByteBuffer.wrap(body(status, reason, withoutReason(status, reason)));
    }

    private static boolean withoutReason(int code, String message) {
        return message == null || message.isBlank() || message.equals(HttpStatus.getMessage(code));
    }

    private static byte[] body(int code, String message, boolean pathRefused) {
        String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        if (code == HttpStatus.BAD_REQUEST_400 && (pathRefused || PATH_REASON.matcher(text).find())) {
            // a path refused before any resource saw it: in this API, the filename in it
            text = "the request path is refused (" + text + "): a filename is one path segment without '/', '\\', "
                    + "control characters, and not '.' or '..'";
        } else if (code == HttpStatus.BAD_REQUEST_400) {
            text = "the request is refused: " + text;
        }
        try {
            return JSON.writeValueAsBytes(new ApiError(code, text, code == 400 ? "invalid_request" : null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body is always serialisable", e);
        }
    }
}

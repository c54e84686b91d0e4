package io.uploads.protocols.flow;

import io.uploads.core.UploadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.RequestContext;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletDiskFileUpload;

/**
 * A flow.js / resumable.js {@code multipart/form-data} chunk, read as a stream: the form fields
 * (which both libraries send before the file) are collected, and the {@code file} part is handed
 * on unread, so its bytes go straight to disk and are never buffered whole.
 *
 * @param fields every form field before the file part
 * @param file the body of the file part, positioned at its first byte
 */
record MultipartChunk(Map<String, List<String>> fields, InputStream file) {

    static final String FILE_FIELD = "file";
    private static final int MAX_FIELD_BYTES = 8 * 1024;
    private static final int MAX_FIELDS = 64;

    static MultipartChunk read(String contentType, long contentLength, InputStream body) {
        try {
            FileItemInputIterator parts = new JakartaServletDiskFileUpload().getItemIterator(
                    new Body(contentType, contentLength, body));
            Map<String, List<String>> fields = new LinkedHashMap<>();
            while (parts.hasNext()) {
                FileItemInput part = parts.next();
                if (part.getFieldName() == null) {
                    continue;
                }
                if (part.getFieldName().equals(FILE_FIELD)) {
                    return new MultipartChunk(fields, part.getInputStream());
                }
                if (fields.size() >= MAX_FIELDS) {
                    throw invalid("more than " + MAX_FIELDS + " form fields");
                }
                fields.computeIfAbsent(part.getFieldName(), k -> new ArrayList<>()).add(text(part));
            }
            throw invalid("the form has no '" + FILE_FIELD + "' part; flow.js and resumable.js send it last,"
                    + " after the other fields");
        } catch (FileUploadException e) {
            throw invalid("malformed multipart body: " + e.getMessage());
        } catch (IOException e) {
            throw new UploadException(UploadException.Problem.INCOMPLETE_BODY,
                    "the request body ended early: " + e.getMessage(), e);
        }
    }

    private static String text(FileItemInput part) throws IOException {
        try (InputStream in = part.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_FIELD_BYTES + 1);
            if (bytes.length > MAX_FIELD_BYTES) {
                throw invalid("form field " + part.getFieldName() + " is longer than " + MAX_FIELD_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }

    private record Body(String getContentType, long getContentLength, InputStream getInputStream)
            implements RequestContext {

        @Override
        public String getCharacterEncoding() {
            return StandardCharsets.UTF_8.name();
        }

        @Override
        public boolean isMultipartRelated() {
            return false;
        }
    }
}

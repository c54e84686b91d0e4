package io.uploads.protocols.tus;

import io.uploads.core.UploadException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code Upload-Metadata}: "one or more comma-separated key-value pairs. The key and value MUST be
 * separated by a space. The key MUST NOT contain spaces and commas and MUST NOT be empty. The value
 * MUST be Base64 encoded." The header is kept as sent (HEAD echoes it); of its keys, {@code filename}
 * (or Uppy's {@code name}) names the final file and {@code group} chooses its group.
 */
/** @param values each key's value, still base64-encoded */
record TusMetadata(@Nullable String header, Map<String, String> values) {

    static final int MAX_LENGTH = 8192;

    static TusMetadata parse(@Nullable String header) {
        Map<String, String> values = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return new TusMetadata(null, values);
        }
        if (header.length() > MAX_LENGTH) {
            throw invalid("Upload-Metadata is longer than " + MAX_LENGTH + " characters");
        }
        for (String pair : header.split(",", -1)) {
            String[] kv = pair.trim().split(" ", -1);
            String key = kv[0];
            if (key.isEmpty() || kv.length > 2 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw invalid("Upload-Metadata pair '" + pair.trim() + "' is not a key and a base64 value");
            }
            if (values.containsKey(key)) {
                throw invalid("Upload-Metadata key " + key + " is given more than once");
            }
            String value = kv.length == 2 ? kv[1] : "";
            requireBase64(key, value);
            values.put(key, value);
        }
        return new TusMetadata(header, values);
    }

    @Nullable String filename() {
        String name = text("filename");
        return name != null ? name : text("name");
    }

    @Nullable String group() {
        return text("group");
    }

    /** A value we use as text: base64 of UTF-8; absent or empty is null. */
    private @Nullable String text(String key) {
        String base64 = values.get(key);
        if (base64 == null || base64.isEmpty()) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(base64)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("Upload-Metadata value of " + key + " is not UTF-8 text");
        }
    }

    private static void requireBase64(String key, String value) {
        try {
            Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw invalid("Upload-Metadata value of " + key + " is not base64");
        }
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}

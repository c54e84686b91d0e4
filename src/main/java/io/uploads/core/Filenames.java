package io.uploads.core;

import java.nio.charset.StandardCharsets;

/**
 * The only client-supplied text that may become part of a disk path is a filename that passes
 * here, and only as the last segment under the group directory at completion.
 */
public final class Filenames {

    static final int MAX_BYTES = 255;

    private Filenames() {}

    public static String requireValid(String name) {
        if (name == null || name.isBlank()) {
            throw invalid("filename is missing or blank");
        }
        if (name.equals(".") || name.equals("..")) {
            throw invalid("filename may not be . or ..");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("filename is longer than " + MAX_BYTES + " bytes in UTF-8");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw invalid("filename may not contain '/', '\\' or control characters");
            }
        }
        return name;
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}

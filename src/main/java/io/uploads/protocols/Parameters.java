package io.uploads.protocols;

import io.uploads.core.UploadException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Request parameters (query or form fields) every protocol reads the same way. */
public final class Parameters {

    private Parameters() {}

    /** The one non-empty value of {@code name}, or null when absent; twice or empty is a 400. */
    public static @Nullable String single(Map<String, List<String>> values, String name) {
        List<String> given = values.get(name);
        if (given == null || given.isEmpty()) {
            return null;
        }
        if (given.size() > 1) {
            throw invalid(name + " is given more than once");
        }
        String value = given.get(0);
        if (value.isEmpty()) {
            throw invalid(name + " is empty");
        }
        return value;
    }

    /** The whole number {@code name}, from 1 to {@code max}; {@code otherwise} when absent. */
    public static int number(Map<String, List<String>> values, String name, int otherwise, int max) {
        String raw = single(values, name);
        if (raw == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw invalid(name + " must be a number from 1 to " + max + "; got " + raw);
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}

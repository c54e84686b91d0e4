package io.uploads.admin;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators type them: {@code 1h}, {@code 30m}, {@code 90s}, {@code 7 days}, {@code PT1H}. */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)");

    private Durations() {}

    /** @throws IllegalArgumentException with a message fit for the person who typed it */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            try {
                return nonNegative(Duration.parse(t.toUpperCase(Locale.ROOT)), text);
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        }
        Matcher m = SHORT.matcher(t);
        if (!m.matches()) {
            throw invalid(text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).charAt(0)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** {@code 3d 4h}, {@code 2h 5m}, {@code 40s}: an idle time at a glance. */
    public static String describe(Duration d) {
        long s = Math.max(d.toSeconds(), 0);
        if (s >= 86_400) {
            return s / 86_400 + "d " + s % 86_400 / 3_600 + "h";
        }
        if (s >= 3_600) {
            return s / 3_600 + "h " + s % 3_600 / 60 + "m";
        }
        return s >= 60 ? s / 60 + "m " + s % 60 + "s" : s + "s";
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw invalid(text);
        }
        return d;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration: give e.g. 1h, 30m, 90s, 7 days or PT1H");
    }
}

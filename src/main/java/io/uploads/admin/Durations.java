package io.uploads.admin;

import java.time.Duration;
import java.time.Instant;
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
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).charAt(0)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalid(text);
        }
    }

    /** The earliest and latest instants filters accept: what both databases can compare with. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** {@code now - idle}, refused when that is before {@link #EARLIEST}. */
    public static Instant before(Instant now, Duration idle, String text) {
        if (idle.compareTo(Duration.between(EARLIEST, now)) > 0) {
            throw new IllegalArgumentException("'" + text + "' reaches back before the year 1");
        }
        return now.minus(idle);
    }

    /** Whether filters may compare with {@code t}. */
    public static boolean inRange(Instant t) {
        return !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
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

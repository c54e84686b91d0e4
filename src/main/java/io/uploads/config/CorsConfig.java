package io.uploads.config;

import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;
import java.util.Arrays;
import java.util.List;

/**
 * Cross-origin access for browser clients (flow.js, resumable.js, tus-js-client, Uppy).
 *
 * @param allowedOrigins comma-separated origins such as {@code https://app.example.com}, or
 *        {@code *} for any; empty (the default) answers no cross-origin request
 * @param preflightMaxAge how long a browser may cache a preflight answer
 */
public record CorsConfig(@NotNull String allowedOrigins, @NotNull Duration preflightMaxAge) {

    public static final Duration DEFAULT_PREFLIGHT_MAX_AGE = Duration.hours(1);

    /** A section that gives only some of the settings keeps the defaults of the others. */
    public CorsConfig {
        allowedOrigins = allowedOrigins == null ? "" : allowedOrigins;
        preflightMaxAge = preflightMaxAge == null ? DEFAULT_PREFLIGHT_MAX_AGE : preflightMaxAge;
    }

    public List<String> origins() {
        return Arrays.stream(allowedOrigins.split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList();
    }

    public boolean enabled() {
        return !origins().isEmpty();
    }
}

package io.uploads.config;

import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where the session, chunk, token and audit tables live. Only the JDBC URL is required: the driver
 * follows from it, and H2 URLs get the session settings the service relies on.
 */
public record DatabaseConfig(
        @NotBlank @Pattern(regexp = "jdbc:(h2|postgresql):.+", message = "must be an H2 or PostgreSQL JDBC URL") String url,
        @Nullable String user,
        @Nullable String password,
        @Min(2) int maxPoolSize) {

    /** Row locks are held only for short transactions; this bounds a wait behind a slow one. */
    static final String H2_LOCK_TIMEOUT = "LOCK_TIMEOUT=10000";

    public boolean isH2() {
        return url.startsWith("jdbc:h2:");
    }

    public DataSourceFactory dataSourceFactory() {
        DataSourceFactory factory = new DataSourceFactory();
        factory.setUrl(effectiveUrl());
        factory.setDriverClass(isH2() ? "org.h2.Driver" : "org.postgresql.Driver");
        factory.setUser(user == null ? "" : user);
        factory.setPassword(password == null ? "" : password);
        factory.setMaxSize(maxPoolSize);
        factory.setMinSize(1);
        factory.setInitialSize(1);
        factory.setValidationQuery("SELECT 1");
        return factory;
    }

    /** The URL as given, plus the H2 settings we need when the user did not set them. */
    public String effectiveUrl() {
        if (isH2() && !url.toUpperCase(Locale.ROOT).contains("LOCK_TIMEOUT=")) {
            return url + ";" + H2_LOCK_TIMEOUT;
        }
        return url;
    }
}

package io.uploads.config;

import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

    /**
     * H2 settings the service relies on, added unless the URL sets them: a bounded wait for a row
     * lock (locks are held only for short transactions), and every commit written at once, so
     * that a chunk acknowledged to a client survives the process being killed.
     */
    static final Map<String, String> H2_SETTINGS = Map.of("LOCK_TIMEOUT", "10000", "WRITE_DELAY", "0");

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
        // each connection keeps its prepared statements: H2 would parse every statement of every request again
        factory.setJdbcInterceptors(Optional.of("StatementCache(prepared=true,callable=false,max=2000)"));
        return factory;
    }

    /** The URL as given, plus the H2 settings we need when the user did not set them. */
    public String effectiveUrl() {
        if (!isH2()) {
            return url;
        }
        StringBuilder effective = new StringBuilder(url);
        String upper = url.toUpperCase(Locale.ROOT);
        new TreeMap<>(H2_SETTINGS).forEach((name, value) -> {
            if (!upper.contains(";" + name + "=")) {
                effective.append(';').append(name).append('=').append(value);
            }
        });
        return effective.toString();
    }
}

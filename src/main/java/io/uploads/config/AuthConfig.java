package io.uploads.config;

import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Token settings. Without a configured {@code signingKey} the key is generated on first start and
 * kept in the database, so every instance sharing the database verifies the same tokens.
 */
public record AuthConfig(
        @Nullable @Size(min = 32, message = "must be at least 32 characters") String signingKey,
        @NotNull Duration tokenTtl,
        @Valid @NotNull BootstrapAdmin bootstrapAdmin) {

    /** Who the token created on first start (when no token exists yet) belongs to. */
    public record BootstrapAdmin(@NotNull String principal, @NotEmpty List<String> groups) {}
}

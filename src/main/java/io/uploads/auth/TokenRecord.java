package io.uploads.auth;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One row of {@code issued_token}. */
public record TokenRecord(
        String jti,
        String principal,
        String groupsCsv,
        String rolesCsv,
        Instant createdAt,
        Instant expiresAt,
        @Nullable Instant revokedAt) {

    public List<String> groups() {
        return split(groupsCsv);
    }

    public List<String> roles() {
        return split(rolesCsv);
    }

    public boolean validAt(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }

    private static List<String> split(String csv) {
        return csv.isEmpty() ? List.of() : Arrays.asList(csv.split(","));
    }
}

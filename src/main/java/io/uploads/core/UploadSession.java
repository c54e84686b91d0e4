package io.uploads.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One row of {@code upload_session}. */
public record UploadSession(
        String id,
        String owner,
        String groupName,
        String filename,
        Protocol protocol,
        SessionState state,
        @Nullable Long totalSize,
        @Nullable Integer totalChunks,
        int maxChunk,
        long receivedBytes,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt,
        @Nullable Instant completedAt,
        @Nullable String finalPath,
        @Nullable String sha256) {}

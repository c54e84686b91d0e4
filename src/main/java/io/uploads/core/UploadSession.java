package io.uploads.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One row of {@code upload_session}.
 *
 * @param clientKey the client's own name for the upload (flow.js / resumable.js identifier)
 * @param chunkSize the chunk size the client declared up front (flow.js / resumable.js)
 * @param clientMetadata tus {@code Upload-Metadata} as the client sent it
 * @param completionDueAt since when the session holds every byte of its declared length without
 *        being completed yet; such a session is completed by the server, never expired
 */
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
        @Nullable String sha256,
        @Nullable String clientKey,
        @Nullable Long chunkSize,
        @Nullable String clientMetadata,
        @Nullable Instant completionDueAt) {

    /** The stage of the one transition table this row is in. */
    public Stage stage() {
        return Stage.of(state, completionDueAt != null);
    }

    /** Whether the declared size is known and every byte of it has arrived. */
    public boolean allBytesReceived() {
        return totalSize != null && receivedBytes == totalSize;
    }

    // The row as each of SessionDao's updates leaves it: a transaction that made the update knows
    // the result without reading the row again.

    public UploadSession withProgress(int maxChunk, long receivedBytes, String groupName, Instant now,
                                      Instant expiresAt) {
        return new UploadSession(id, owner, groupName, filename, protocol, state, totalSize, totalChunks, maxChunk,
                receivedBytes, createdAt, now, expiresAt, completedAt, finalPath, sha256, clientKey, chunkSize,
                clientMetadata, completionDueAt);
    }

    public UploadSession withProgress(int maxChunk, long receivedBytes, Instant now) {
        return withProgress(maxChunk, receivedBytes, groupName, now, expiresAt);
    }

    public UploadSession withGroup(String groupName, Instant now) {
        return withProgress(maxChunk, receivedBytes, groupName, now, expiresAt);
    }

    public UploadSession withTotalSize(long totalSize) {
        return new UploadSession(id, owner, groupName, filename, protocol, state, totalSize, totalChunks, maxChunk,
                receivedBytes, createdAt, updatedAt, expiresAt, completedAt, finalPath, sha256, clientKey, chunkSize,
                clientMetadata, completionDueAt);
    }

    public UploadSession inState(SessionState state, @Nullable Instant completionDueAt, Instant now) {
        return new UploadSession(id, owner, groupName, filename, protocol, state, totalSize, totalChunks, maxChunk,
                receivedBytes, createdAt, now, expiresAt, completedAt, finalPath, sha256, clientKey, chunkSize,
                clientMetadata, completionDueAt);
    }

    public UploadSession completed(String finalPath, String sha256, Instant now) {
        return new UploadSession(id, owner, groupName, filename, protocol, SessionState.COMPLETED, totalSize,
                totalChunks, maxChunk, receivedBytes, createdAt, now, expiresAt, now, finalPath, sha256, clientKey,
                chunkSize, clientMetadata, null);
    }
}

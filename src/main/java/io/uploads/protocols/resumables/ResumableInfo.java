package io.uploads.protocols.resumables;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.uploads.core.SessionSnapshot;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import org.jspecify.annotations.Nullable;

/**
 * The native API's {@code <info>}: enough for a client to check its local bytes
 * {@code [previous_offset, next_offset)} against {@code md5sum} and resume at chunk
 * {@code max_chunk + 1}. After completion {@code max_chunk} is the string {@code "end"}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResumableInfo(
        String filename,
        String id,
        Object maxChunk,
        long chunkSize,
        long previousOffset,
        long nextOffset,
        String md5sum,
        String group,
        String protocol,
        String state,
        String createdAt,
        String updatedAt,
        String expiresAt,
        @Nullable String path,
        @Nullable Long size,
        @Nullable String sha256) {

    public static ResumableInfo of(SessionSnapshot snapshot) {
        UploadSession s = snapshot.session();
        boolean completed = s.state() == SessionState.COMPLETED;
        long next = s.receivedBytes();
        return new ResumableInfo(
                s.filename(),
                s.id(),
                completed ? "end" : s.maxChunk(),
                snapshot.lastChunkSize(),
                next - snapshot.lastChunkSize(),
                next,
                snapshot.lastChunkMd5(),
                s.groupName(),
                s.protocol().wireName(),
                s.state().name(),
                s.createdAt().toString(),
                s.updatedAt().toString(),
                s.expiresAt().toString(),
                completed ? s.finalPath() : null,
                completed ? s.receivedBytes() : null,
                completed ? s.sha256() : null);
    }
}

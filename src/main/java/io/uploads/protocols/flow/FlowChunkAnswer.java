package io.uploads.protocols.flow;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.uploads.core.Chunk;
import io.uploads.core.SessionSnapshot;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a flow.js / resumable.js chunk: the session it went to and how far it is. The
 * request that completed the upload also gets the final file's {@code path}, {@code size} and
 * {@code sha256}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlowChunkAnswer(
        String id,
        String filename,
        String group,
        String protocol,
        String state,
        int chunk,
        String chunkMd5,
        long receivedBytes,
        @Nullable Long totalSize,
        String expiresAt,
        @Nullable String path,
        @Nullable Long size,
        @Nullable String sha256) {

    public static FlowChunkAnswer of(SessionSnapshot snapshot) {
        UploadSession s = snapshot.session();
        Chunk chunk = snapshot.lastChunk().orElseThrow();
        boolean completed = s.state() == SessionState.COMPLETED;
        return new FlowChunkAnswer(s.id(), s.filename(), s.groupName(), s.protocol().wireName(), s.state().name(),
                chunk.chunkNumber(), chunk.md5(), s.receivedBytes(), s.totalSize(), s.expiresAt().toString(),
                completed ? s.finalPath() : null,
                completed ? s.receivedBytes() : null,
                completed ? s.sha256() : null);
    }
}

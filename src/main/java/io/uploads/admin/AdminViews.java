package io.uploads.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.uploads.core.AuditEntry;
import io.uploads.core.Chunk;
import io.uploads.core.UploadSession;
import io.uploads.db.AdminQueries;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The JSON records of the admin API. */
public final class AdminViews {

    private AdminViews() {}

    /** A session as operators see it: whose, where, how far, since when. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Upload(String id, String owner, String group, String filename, String protocol, String state,
                         String stage, long receivedBytes, @Nullable Long totalBytes, int chunks, String createdAt,
                         String updatedAt, String expiresAt, @Nullable String completedAt,
                         @Nullable String finalPath, @Nullable String sha256) {

        static Upload of(AdminQueries.Listed listed) {
            UploadSession s = listed.session();
            return new Upload(s.id(), s.owner(), s.groupName(), s.filename(), s.protocol().wireName(), s.state().name(),
                    s.stage().name(), s.receivedBytes(), s.totalSize(), listed.chunkCount(), s.createdAt().toString(),
                    s.updatedAt().toString(), s.expiresAt().toString(),
                    s.completedAt() == null ? null : s.completedAt().toString(), s.finalPath(), s.sha256());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChunkView(int number, long offset, long size, String md5, String receivedAt) {
        static ChunkView of(Chunk c) {
            return new ChunkView(c.chunkNumber(), c.chunkOffset(), c.sizeBytes(), c.md5(), c.receivedAt().toString());
        }
    }

    /** {@code GET /admin/uploads/{id}}: the session and every chunk it holds. */
    public record UploadDetail(Upload upload, List<ChunkView> chunks) {}

    /** One page of a keyset-paged list; {@code next_cursor} is null on the last page. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Page<T>(List<T> items, @Nullable String nextCursor) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Count(long sessions, long bytes) {}

    /**
     * {@code GET /admin/uploads/totals}: sessions and bytes by state and by protocol, open sessions
     * idle longer than the stalled threshold, bytes held by open sessions, and when it was computed.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Totals(Map<String, Count> byState, Map<String, Count> byProtocol, Count open, Count stalled,
                         String stalledAfter, String computedAt) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditRow(long seq, String occurredAt, String actor, String event, @Nullable String sessionId,
                           @Nullable String protocol, @Nullable String filename, @Nullable String group,
                           @Nullable Long bytes, @Nullable String remoteAddr, @Nullable String detail,
                           String prevHash, String hash) {
        static AuditRow of(AuditEntry e) {
            return new AuditRow(e.seq(), e.occurredAt().toString(), e.actor(), e.event(), e.sessionId(), e.protocol(),
                    e.filename(), e.groupName(), e.bytes(), e.remoteAddr(), e.detail(), e.prevHash(), e.hash());
        }
    }

    /** The chain's last row: what an operator records elsewhere to detect truncation. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Head(long seq, String hash) {}

    /** {@code GET /admin/audit}: a page of the trail, newest first, and the chain's head. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AuditPage(List<AuditRow> items, @Nullable String nextCursor, Head head) {}
}

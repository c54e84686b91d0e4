package io.uploads.db;

import io.uploads.core.AuditEntry;
import io.uploads.core.Chunk;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * The operators' queries: sessions of every owner with any combination of filters, newest first,
 * one keyset page at a time; totals; the audit trail. Each filter is a plain equality or range on
 * an indexed column (V7), and only the filters given become part of the statement, so the planner
 * sees a query it can serve from an index.
 */
public final class AdminQueries {

    private final Jdbi jdbi;

    public AdminQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A session as the admin list shows it: the row, and how many chunks it holds. */
    public record Listed(UploadSession session, int chunkCount) {}

    /**
     * Which sessions to list; null fields do not filter. {@code completionDue} narrows OPEN to
     * the sessions holding every byte (true) or not (false).
     */
    public record SessionFilter(@Nullable SessionState state, @Nullable Boolean completionDue, @Nullable String owner,
                                @Nullable String group, @Nullable Protocol protocol, @Nullable Instant idleSince,
                                @Nullable Instant createdBefore, @Nullable Instant createdAfter) {}

    /** Where a page ends: the last row's creation time and id. */
    public record SessionKey(Instant createdAt, String id) {}

    /** Up to {@code limit} sessions after {@code after}, newest first. */
    public List<Listed> sessions(SessionFilter f, @Nullable SessionKey after, int limit) {
        Where where = new Where()
                .equal("state", f.state() == null ? null : f.state().name())
                .equal("owner", f.owner())
                .equal("group_name", f.group())
                .equal("protocol", f.protocol() == null ? null : f.protocol().name())
                .compare("updated_at < :idleSince", "idleSince", f.idleSince())
                .compare("created_at < :createdBefore", "createdBefore", f.createdBefore())
                .compare("created_at >= :createdAfter", "createdAfter", f.createdAfter());
        if (f.completionDue() != null) {
            where.clause(f.completionDue() ? "completion_due_at IS NOT NULL" : "completion_due_at IS NULL");
        }
        if (after != null) {
            // rows created later, or at the same instant with a greater id, were on earlier pages
            where.clause("(created_at < :afterCreated OR (created_at = :afterCreated AND id < :afterId))")
                    .bind("afterCreated", after.createdAt())
                    .bind("afterId", after.id());
        }
        String sql = "SELECT * FROM upload_session" + where + " ORDER BY created_at DESC, id DESC LIMIT :limit";
        return jdbi.withHandle(h -> where.bindTo(h.createQuery(sql)).bind("limit", limit)
                .map((rs, ctx) -> new Listed(ConstructorMapper.of(UploadSession.class).specialize(rs, ctx).map(rs, ctx),
                        rs.getInt("chunk_count")))
                .list());
    }

    public Optional<Listed> session(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM upload_session WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new Listed(ConstructorMapper.of(UploadSession.class).specialize(rs, ctx).map(rs, ctx),
                        rs.getInt("chunk_count")))
                .findOne());
    }

    public List<Chunk> chunks(String sessionId) {
        return jdbi.onDemand(ChunkDao.class).list(sessionId);
    }

    /** Sessions and bytes of one state and protocol. */
    public record Tally(SessionState state, Protocol protocol, long sessions, long bytes) {}

    /** Sessions and received bytes by state and protocol: one pass over the table (the caller caches it). */
    public List<Tally> tallies() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT state, protocol, COUNT(*) AS sessions, COALESCE(SUM(received_bytes), 0) AS bytes
                        FROM upload_session GROUP BY state, protocol
                        """)
                .map((rs, ctx) -> new Tally(SessionState.valueOf(rs.getString("state")),
                        Protocol.valueOf(rs.getString("protocol")), rs.getLong("sessions"), rs.getLong("bytes")))
                .list());
    }

    /** Open sessions idle since before {@code idleSince}: how many, and the bytes they hold. */
    public record Stalled(long sessions, long bytes) {}

    public Stalled stalled(Instant idleSince) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) AS sessions, COALESCE(SUM(received_bytes), 0) AS bytes
                        FROM upload_session WHERE state = 'OPEN' AND updated_at < :idleSince
                        """)
                .bind("idleSince", idleSince)
                .map((rs, ctx) -> new Stalled(rs.getLong("sessions"), rs.getLong("bytes")))
                .one());
    }

    /** Sessions completed within one hour, and their bytes; {@code hour} counts hours since the epoch. */
    public record HourTally(long hour, long uploads, long bytes) {}

    /**
     * Completed sessions per hour since {@code since}, hours without any left out. A finished session
     * never changes, so its {@code updated_at} is its completion time, and the range is read from the
     * (state, updated_at) index rather than from every row.
     */
    public List<HourTally> completedPerHour(Instant since) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT FLOOR(EXTRACT(EPOCH FROM updated_at) / 3600) AS epoch_hour, COUNT(*) AS uploads,
                               COALESCE(SUM(received_bytes), 0) AS bytes
                        FROM upload_session WHERE state = 'COMPLETED' AND updated_at >= :since
                        GROUP BY FLOOR(EXTRACT(EPOCH FROM updated_at) / 3600)
                        """)
                .bind("since", since)
                .map((rs, ctx) -> new HourTally(rs.getLong("epoch_hour"), rs.getLong("uploads"), rs.getLong("bytes")))
                .list());
    }

    /** Which audit rows to list; null fields do not filter. */
    public record AuditFilter(@Nullable String session, @Nullable String actor, @Nullable String event,
                              @Nullable Instant from, @Nullable Instant to) {}

    /** Up to {@code limit} audit rows with seq below {@code beforeSeq}, newest first. */
    public List<AuditEntry> audit(AuditFilter f, @Nullable Long beforeSeq, int limit) {
        Where where = new Where()
                .equal("session_id", f.session())
                .equal("actor", f.actor())
                .equal("event", f.event())
                .compare("occurred_at >= :fromTime", "fromTime", f.from())
                .compare("occurred_at < :toTime", "toTime", f.to())
                .compare("seq < :beforeSeq", "beforeSeq", beforeSeq);
        String sql = "SELECT * FROM audit_event" + where + " ORDER BY seq DESC LIMIT :limit";
        return jdbi.withHandle(h -> where.bindTo(h.createQuery(sql)).bind("limit", limit)
                .map(ConstructorMapper.of(AuditEntry.class))
                .list());
    }

    /** The conditions of the filters that were given, each with its bound value; never client text in SQL. */
    private static final class Where {

        private final List<String> clauses = new ArrayList<>();
        private final Map<String, Object> binds = new LinkedHashMap<>();

        /** {@code column = :column}, when a value is given. */
        Where equal(String column, @Nullable Object value) {
            return compare(column + " = :" + column, column, value);
        }

        /** A condition on one bound value, when the value is given. */
        Where compare(String clause, String name, @Nullable Object value) {
            return value == null ? this : clause(clause).bind(name, value);
        }

        Where clause(String clause) {
            clauses.add(clause);
            return this;
        }

        Where bind(String name, Object value) {
            binds.put(name, value);
            return this;
        }

        Query bindTo(Query query) {
            binds.forEach(query::bind);
            return query;
        }

        @Override
        public String toString() {
            return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
        }
    }
}

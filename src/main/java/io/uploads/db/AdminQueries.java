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
import org.jdbi.v3.core.mapper.RowMapper;
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
            // rows created later, or at the same instant with a greater id, were on earlier pages. The
            // bound on created_at alone adds nothing logically, but it is what an index scan can start
            // at: the OR alone is only a filter, and page n then read n pages' worth of rows first
            // (at a million sessions, the half-way page read 500,000 index entries in over a second).
            where.clause("created_at <= :afterCreated")
                    .clause("(created_at < :afterCreated OR (created_at = :afterCreated AND id < :afterId))")
                    .bind("afterCreated", after.createdAt())
                    .bind("afterId", after.id());
        }
        String sql = "SELECT * FROM upload_session" + where + " ORDER BY created_at DESC, id DESC LIMIT :limit";
        return jdbi.withHandle(h -> where.bindTo(h.createQuery(sql)).bind("limit", limit)
                .map(listed())
                .list());
    }

    public Optional<Listed> session(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM upload_session WHERE id = :id").bind("id", id)
                .map(listed())
                .findOne());
    }

    /** A session row with its chunk count. */
    private static RowMapper<Listed> listed() {
        return SessionRows.with((session, row) -> new Listed(session, row.getInt("chunk_count")));
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

    /**
     * Up to {@code limit} audit rows after the row {@code beforeSeq}, newest first: in seq order, or
     * under a time filter in (occurred_at, seq) order.
     */
    public List<AuditEntry> audit(AuditFilter f, @Nullable Long beforeSeq, int limit) {
        Where where = new Where()
                .equal("session_id", f.session())
                .equal("actor", f.actor())
                .equal("event", f.event())
                .compare("occurred_at >= :fromTime", "fromTime", f.from())
                .compare("occurred_at < :toTime", "toTime", f.to());
        // Under a time filter the page is in (occurred_at, seq) order, which the index
        // audit_event_time (V7) delivers for any window. In seq order the planner walks the primary
        // key from the newest row and filters on the time, skipping every row newer than the window:
        // at 2.8 million rows a day two months back took 0.3 to 4.5 seconds. The two orders differ
        // only where concurrent transactions appended their rows in another order than they stamped
        // them (seq is given at commit, under the chain's lock). The cursor stays the last row's seq;
        // the next page continues after that row's (occurred_at, seq).
        boolean byTime = f.from() != null || f.to() != null;
        if (beforeSeq != null) {
            if (byTime) {
                String cursorTime = "(SELECT occurred_at FROM audit_event WHERE seq = :beforeSeq)";
                // the bound on occurred_at alone is what the index scan starts at; the OR is exact
                where.clause("occurred_at <= " + cursorTime)
                        .clause("(occurred_at < " + cursorTime + " OR (occurred_at = " + cursorTime + " AND seq < :beforeSeq))");
            } else {
                where.clause("seq < :beforeSeq");
            }
            where.bind("beforeSeq", beforeSeq);
        }
        String sql = "SELECT * FROM audit_event" + where
                + (byTime ? " ORDER BY occurred_at DESC, seq DESC" : " ORDER BY seq DESC") + " LIMIT :limit";
        return jdbi.withHandle(h -> where.bindTo(h.createQuery(sql)).bind("limit", limit)
                .mapTo(AuditEntry.class)
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

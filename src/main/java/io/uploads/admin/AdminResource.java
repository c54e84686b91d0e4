package io.uploads.admin;

import io.dropwizard.auth.Auth;
import io.uploads.admin.AdminViews.AuditPage;
import io.uploads.admin.AdminViews.AuditRow;
import io.uploads.admin.AdminViews.ChunkView;
import io.uploads.admin.AdminViews.Page;
import io.uploads.admin.AdminViews.Totals;
import io.uploads.admin.AdminViews.Upload;
import io.uploads.admin.AdminViews.UploadDetail;
import io.uploads.core.AuditEntry;
import io.uploads.core.Caller;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.Stage;
import io.uploads.core.UploadException;
import io.uploads.core.UploadException.Problem;
import io.uploads.core.ClientSessions;
import io.uploads.db.AdminQueries;
import io.uploads.db.AdminQueries.AuditFilter;
import io.uploads.db.AdminQueries.SessionFilter;
import io.uploads.db.AdminQueries.SessionKey;
import io.uploads.ledger.AuditTrail;
import io.uploads.protocols.Parameters;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The operators' API (role {@code admin}): every owner's sessions with filters and keyset pages,
 * one session with its chunks, abort, totals, and the audit trail. Pages are newest first; a
 * page's {@code next_cursor}, given back as {@code cursor}, continues exactly after its last row,
 * so sessions created meanwhile (which sort before it) neither repeat nor hide any row.
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
public final class AdminResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final AdminQueries queries;
    private final ClientSessions sessions;
    private final UploadTotals totals;
    private final AuditTrail audit;
    private final Clock clock;

    public AdminResource(AdminQueries queries, ClientSessions sessions, UploadTotals totals, AuditTrail audit,
                         Clock clock) {
        this.queries = queries;
        this.sessions = sessions;
        this.totals = totals;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Filters: {@code state} (a stage: OPEN, COMPLETION_DUE, ASSEMBLING, COMPLETED, ABORTED,
     * EXPIRED, FAILED; OPEN includes COMPLETION_DUE), {@code owner}, {@code group},
     * {@code protocol} (resumables, flow, resumable-js, tus), {@code idle_longer_than} (1h, 30m,
     * PT1H, 7 days), {@code created_before}, {@code created_after} (ISO-8601 instants).
     */
    @GET
    @Path("uploads")
    public Page<Upload> uploads(@Context UriInfo uri) {
        MultivaluedMap<String, String> q = uri.getQueryParameters();
        int limit = Parameters.number(q, "limit", DEFAULT_LIMIT, MAX_LIMIT);
        SessionKey after = sessionCursor(Parameters.single(q, "cursor"));
        List<AdminQueries.Listed> rows = queries.sessions(filter(q), after, limit + 1);
        boolean more = rows.size() > limit;
        List<AdminQueries.Listed> page = more ? rows.subList(0, limit) : rows;
        String next = null;
        if (more) {
            AdminQueries.Listed last = page.get(page.size() - 1);
            next = encode(last.session().createdAt() + "|" + last.session().id());
        }
        return new Page<>(page.stream().map(Upload::of).toList(), next);
    }

    @GET
    @Path("uploads/totals")
    public Totals totals() {
        return totals.current();
    }

    @GET
    @Path("uploads/{id}")
    public UploadDetail upload(@PathParam("id") String id) {
        AdminQueries.Listed listed = queries.session(requireId(id)).orElseThrow(() -> notFound(id));
        return new UploadDetail(Upload.of(listed), queries.chunks(id).stream().map(ChunkView::of).toList());
    }

    /** Aborts an open session and deletes its bytes; a finished one is 409 and never changes. */
    @DELETE
    @Path("uploads/{id}")
    public Upload abort(@Auth Caller admin, @PathParam("id") String id) {
        sessions.abort(requireId(id), admin.actor(), "by administrator " + admin.name());
        return Upload.of(queries.session(id).orElseThrow(() -> notFound(id)));
    }

    @POST
    @Path("uploads/{id}/abort")
    public Upload abortByPost(@Auth Caller admin, @PathParam("id") String id) {
        return abort(admin, id);
    }

    /**
     * Filters: {@code session}, {@code actor}, {@code event}, {@code from}, {@code to} (ISO-8601).
     * Newest first: in seq order, or under {@code from}/{@code to} in the order of occurred_at (then seq).
     */
    @GET
    @Path("audit")
    public AuditPage audit(@Context UriInfo uri) {
        MultivaluedMap<String, String> q = uri.getQueryParameters();
        int limit = Parameters.number(q, "limit", DEFAULT_LIMIT, MAX_LIMIT);
        String cursor = Parameters.single(q, "cursor");
        Long before = cursor == null ? null : auditCursor(cursor);
        AuditFilter filter = new AuditFilter(Parameters.single(q, "session"), Parameters.single(q, "actor"),
                Parameters.single(q, "event"), instant(q, "from"), instant(q, "to"));
        List<AuditEntry> rows = queries.audit(filter, before, limit + 1);
        boolean more = rows.size() > limit;
        List<AuditEntry> page = more ? rows.subList(0, limit) : rows;
        String next = more ? encode(Long.toString(page.get(page.size() - 1).seq())) : null;
        var head = audit.head();
        return new AuditPage(page.stream().map(AuditRow::of).toList(), next, new AdminViews.Head(head.seq(), head.hash()));
    }

    private SessionFilter filter(MultivaluedMap<String, String> q) {
        String stateParam = Parameters.single(q, "state");
        SessionState state = null;
        Boolean due = null;
        if (stateParam != null) {
            Stage stage = parseEnum(Stage.class, "state", stateParam.toUpperCase(Locale.ROOT));
            state = stage.stored();
            due = stage == Stage.COMPLETION_DUE ? Boolean.TRUE : null;
        }
        String protocolParam = Parameters.single(q, "protocol");
        Protocol protocol = null;
        if (protocolParam != null) {
            protocol = List.of(Protocol.values()).stream().filter(p -> p.wireName().equals(protocolParam)).findFirst()
                    .orElseThrow(() -> invalid("protocol must be one of resumables, flow, resumable-js, tus; not "
                            + protocolParam));
        }
        String idle = Parameters.single(q, "idle_longer_than");
        Instant idleSince = null;
        if (idle != null) {
            try {
                idleSince = Durations.before(clock.instant(), Durations.parse(idle), idle);
            } catch (IllegalArgumentException e) {
                throw invalid("idle_longer_than: " + e.getMessage());
            }
        }
        return new SessionFilter(state, due, Parameters.single(q, "owner"), Parameters.single(q, "group"), protocol,
                idleSince, instant(q, "created_before"), instant(q, "created_after"));
    }

    private static @Nullable Instant instant(MultivaluedMap<String, String> q, String name) {
        String raw = Parameters.single(q, name);
        try {
            Instant t = raw == null ? null : Instant.parse(raw);
            if (t != null && !Durations.inRange(t)) {
                throw invalid(name + " must lie between " + Durations.EARLIEST + " and " + Durations.LATEST + "; got " + raw);
            }
            return t;
        } catch (DateTimeParseException e) {
            throw invalid(name + " must be an ISO-8601 instant such as 2026-12-01T10:00:00Z; got " + raw);
        }
    }

    private static @Nullable SessionKey sessionCursor(@Nullable String cursor) {
        if (cursor == null) {
            return null;
        }
        String[] parts = decode(cursor).split("\\|", 2);
        try {
            if (parts.length == 2 && UUID.matcher(parts[1]).matches() && Durations.inRange(Instant.parse(parts[0]))) {
                return new SessionKey(Instant.parse(parts[0]), parts[1]);
            }
        } catch (DateTimeParseException ignored) {
            // answered below
        }
        throw invalid("cursor is not one this API gave out");
    }

    private static long auditCursor(String cursor) {
        try {
            return Long.parseLong(decode(cursor));
        } catch (NumberFormatException e) {
            throw invalid("cursor is not one this API gave out");
        }
    }

    private static String encode(String cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("cursor is not one this API gave out");
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String name, String raw) {
        try {
            return Enum.valueOf(type, raw);
        } catch (IllegalArgumentException e) {
            throw invalid(name + " must be one of " + List.of(type.getEnumConstants()) + "; not " + raw);
        }
    }

    private static String requireId(String id) {
        if (!UUID.matcher(id).matches()) {
            throw invalid("not an upload id: " + id);
        }
        return id;
    }

    private static UploadException notFound(String id) {
        return new UploadException(Problem.NOT_FOUND, "no upload session " + id);
    }

    private static UploadException invalid(String message) {
        return new UploadException(Problem.INVALID_REQUEST, message);
    }
}

package io.uploads.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.AuditEntry;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.db.AdminQueries.AuditFilter;
import io.uploads.db.AdminQueries.Listed;
import io.uploads.db.AdminQueries.SessionFilter;
import io.uploads.db.AdminQueries.SessionKey;
import io.uploads.testing.DatabaseTestBase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The keyset pages of the admin queries: every row exactly once, in the documented order, also
 * across rows that share a creation instant (sessions) or whose seq order differs from their time
 * order (audit rows appended by concurrent transactions).
 */
abstract class AdminQueriesTest extends DatabaseTestBase {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456Z");
    private static final SessionFilter ALL = new SessionFilter(null, null, null, null, null, null, null, null);

    private AdminQueries queries;
    private final List<UploadSession> sessions = new ArrayList<>();
    private final List<AuditEntry> audit = new ArrayList<>();

    @BeforeAll
    void rows() {
        queries = new AdminQueries(jdbi);
        SessionDao dao = jdbi.onDemand(SessionDao.class);
        for (int i = 0; i < 23; i++) {
            // every third session shares its creation instant with the one before
            Instant created = T0.plusSeconds(i - i / 3);
            UploadSession s = new UploadSession(UUID.randomUUID().toString(), "owner" + (i % 2), "g", "f" + i + ".bin",
                    Protocol.RESUMABLES, i % 4 == 0 ? SessionState.COMPLETED : SessionState.OPEN, null, null, 0, 0,
                    created, created, created.plus(1, ChronoUnit.DAYS), null, null, null, null, null, null, null);
            dao.insert(s);
            sessions.add(s);
        }
        AuditChainDao auditDao = jdbi.onDemand(AuditChainDao.class);
        for (int seq = 1; seq <= 30; seq++) {
            // rows 10, 20, 30 were stamped before the two rows appended ahead of them; 5 and 6 share an instant
            long second = seq % 10 == 0 ? seq - 3 : seq == 6 ? 5 : seq;
            AuditEntry e = new AuditEntry(seq, T0.plusSeconds(second), seq % 3 == 0 ? "alice" : "bob", "session_created",
                    null, null, null, null, null, null, null, "p" + seq, "h" + seq);
            auditDao.insert(e);
            audit.add(e);
        }
    }

    @Test
    void sessionPagesHoldEveryRowOnceNewestFirst() {
        List<String> expected = sessions.stream()
                .sorted(Comparator.comparing(UploadSession::createdAt).thenComparing(UploadSession::id).reversed())
                .map(UploadSession::id).toList();

        assertThat(allSessionPages(ALL, 4)).isEqualTo(expected);
        assertThat(allSessionPages(ALL, 1)).isEqualTo(expected);
    }

    @Test
    void sessionPagesUnderAFilterHoldEveryMatchingRowOnce() {
        SessionFilter open = new SessionFilter(SessionState.OPEN, null, "owner1", null, null, null, null, null);
        List<String> expected = sessions.stream()
                .filter(s -> s.state() == SessionState.OPEN && s.owner().equals("owner1"))
                .sorted(Comparator.comparing(UploadSession::createdAt).thenComparing(UploadSession::id).reversed())
                .map(UploadSession::id).toList();

        assertThat(allSessionPages(open, 2)).isEqualTo(expected);
    }

    @Test
    void auditPagesWithoutATimeFilterAreInSeqOrder() {
        List<Long> expected = audit.stream().map(AuditEntry::seq).sorted(Comparator.reverseOrder()).toList();

        assertThat(allAuditPages(new AuditFilter(null, null, null, null, null), 4)).isEqualTo(expected);
    }

    @Test
    void auditPagesUnderATimeFilterAreInTimeOrderAndHoldEveryRowOfTheWindowOnce() {
        Instant from = T0.plusSeconds(4);
        Instant to = T0.plusSeconds(28);
        List<Long> expected = audit.stream()
                .filter(e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to))
                .sorted(Comparator.comparing(AuditEntry::occurredAt).thenComparing(AuditEntry::seq).reversed())
                .map(AuditEntry::seq).toList();

        // row 20 was stamped at second 17, before rows 18 and 19 were appended: it is listed with 17
        assertThat(expected).startsWith(30L, 27L, 26L).containsSubsequence(19L, 18L, 20L, 17L, 16L);
        assertThat(allAuditPages(new AuditFilter(null, null, null, from, to), 3)).isEqualTo(expected);
        assertThat(allAuditPages(new AuditFilter(null, null, null, from, to), 1)).isEqualTo(expected);
        assertThat(allAuditPages(new AuditFilter(null, "alice", null, from, null), 2)).isEqualTo(audit.stream()
                .filter(e -> e.actor().equals("alice") && !e.occurredAt().isBefore(from))
                .sorted(Comparator.comparing(AuditEntry::occurredAt).thenComparing(AuditEntry::seq).reversed())
                .map(AuditEntry::seq).toList());
    }

    private List<String> allSessionPages(SessionFilter filter, int limit) {
        return AdminQueriesTest.<Listed, SessionKey, String>pages(after -> queries.sessions(filter, after, limit), limit,
                last -> new SessionKey(last.session().createdAt(), last.session().id()), l -> l.session().id());
    }

    private List<Long> allAuditPages(AuditFilter filter, int limit) {
        return AdminQueriesTest.<AuditEntry, Long, Long>pages(after -> queries.audit(filter, after, limit), limit,
                AuditEntry::seq, AuditEntry::seq);
    }

    /** Follows the cursor from page to page until a page comes back short. */
    private static <R, C, K> List<K> pages(Function<C, List<R>> page, int limit, Function<R, C> cursorOf,
                                           Function<R, K> key) {
        List<K> all = new ArrayList<>();
        C cursor = null;
        for (int n = 0; n < 1000; n++) {
            List<R> rows = page.apply(cursor);
            rows.forEach(r -> all.add(key.apply(r)));
            if (rows.size() < limit) {
                return all;
            }
            cursor = cursorOf.apply(rows.get(rows.size() - 1));
        }
        throw new AssertionError("paging does not end");
    }
}

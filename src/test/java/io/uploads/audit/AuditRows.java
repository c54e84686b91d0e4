package io.uploads.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.AuditEntry;
import io.uploads.db.AuditDao;
import io.uploads.ledger.AuditTrail;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Reads of the {@code audit_event} table for the audit tests, straight from the database. */
final class AuditRows {

    private final Jdbi jdbi;

    AuditRows(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The session's rows, in chain order. */
    List<AuditEntry> forSession(String sessionId) {
        return jdbi.onDemand(AuditDao.class).forSession(sessionId);
    }

    /** Every row after {@code seq}, in chain order. */
    List<AuditEntry> after(long seq) {
        return jdbi.onDemand(AuditDao.class).after(seq, 100_000);
    }

    /** The highest seq in the table (0 when empty), whatever the head says. */
    long lastSeq() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM audit_event")
                .mapTo(Long.class).one());
    }

    long count() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_event").mapTo(Long.class).one());
    }

    long count(String event) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_event WHERE event = :event")
                .bind("event", event).mapTo(Long.class).one());
    }

    AuditDao.Head head() {
        return jdbi.onDemand(AuditDao.class).head();
    }

    /** Recomputes the whole chain, as {@code audit-verify} does, and requires it intact. */
    AuditTrail.Verification assertIntact() {
        AuditTrail.Verification v = new AuditTrail(jdbi).verify(null);
        assertThat(v.problem()).as("audit-verify: %s", v.summary()).isNull();
        assertThat(v.rows()).as("rows verified").isEqualTo(count()).isEqualTo(v.headSeq());
        return v;
    }

    static List<String> events(List<AuditEntry> rows) {
        return rows.stream().map(AuditEntry::event).toList();
    }
}

package io.uploads.ledger;

import io.uploads.core.AuditEntry;
import io.uploads.db.AuditDao;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * Reads of the audit trail, and its verification: the chain is recomputed from the rows alone,
 * while appends go on (rows past the head read at the start are left for the next run).
 */
public final class AuditTrail {

    private static final int PAGE = 5_000;

    private final AuditDao audit;

    public AuditTrail(Jdbi jdbi) {
        this.audit = jdbi.onDemand(AuditDao.class);
    }

    /**
     * The outcome of a verification.
     *
     * @param problem what is wrong, naming the first bad row; null when the chain is intact
     */
    public record Verification(long rows, long headSeq, String headHash, @Nullable String problem) {

        public boolean intact() {
            return problem == null;
        }

        /** The line operators record and compare: the row count and the head. */
        public String summary() {
            return intact()
                    ? "audit chain intact: " + rows + " rows, head " + headSeq + " " + headHash
                    : "audit chain BROKEN: " + problem;
        }
    }

    public AuditDao.Head head() {
        return audit.head();
    }

    public List<AuditEntry> forSession(String sessionId) {
        return audit.forSession(sessionId);
    }

    /**
     * Recomputes every row's hash in order. Broken when a row's content or links do not match its
     * hash (edited, inserted, reordered), a seq is missing (deleted), the head recorded with the
     * chain is not its last row (rows deleted from the end), or, with {@code expectHead}, no row
     * carries that hash (the trail was cut back to before a head recorded elsewhere).
     */
    public Verification verify(@Nullable String expectHead) {
        expectHead = expectHead == null ? null : expectHead.trim().toLowerCase(java.util.Locale.ROOT);
        AuditDao.Head head = audit.head();
        long expectedSeq = 1;
        String prev = AuditChain.GENESIS;
        long rows = 0;
        boolean sawExpected = expectHead == null;
        List<AuditEntry> page;
        do {
            page = audit.page(expectedSeq - 1, head.seq(), PAGE);
            for (AuditEntry row : page) {
                if (row.seq() != expectedSeq) {
                    return broken(rows, head, "row " + expectedSeq + " is missing (the next row is " + row.seq()
                            + "): rows were deleted");
                }
                if (!prev.equals(row.prevHash())) {
                    return broken(rows, head, "row " + row.seq() + " does not follow row " + (row.seq() - 1)
                            + ": its prev_hash is not that row's hash (rows deleted, inserted or reordered)");
                }
                String recomputed = AuditChain.hash(prev, row);
                if (!recomputed.equals(row.hash())) {
                    return broken(rows, head, "row " + row.seq() + " does not match its hash: its content was"
                            + " changed after it was written");
                }
                if (!sawExpected && row.hash().equals(expectHead)) {
                    sawExpected = true;
                }
                prev = row.hash();
                expectedSeq++;
                rows++;
            }
        } while (page.size() == PAGE);
        if (rows != head.seq()) {
            return broken(rows, head, "the chain's head says " + head.seq() + " rows, " + rows
                    + " were found: rows " + (rows + 1) + " to " + head.seq() + " were deleted");
        }
        if (!prev.equals(head.hash())) {
            return broken(rows, head, "the chain's head hash is not the hash of its last row " + rows);
        }
        // a row past the head was not appended through the chain: an append commits its row and
        // the head together, so a row still past the head read again now was put there otherwise
        var past = audit.firstAfter(head.seq());
        if (past.isPresent() && past.get().seq() > audit.head().seq()) {
            return broken(rows, head, "row " + past.get().seq() + " lies past the chain's head " + head.seq()
                    + ": it was inserted, not appended");
        }
        if (!sawExpected) {
            return broken(rows, head, "no row carries the expected head " + expectHead
                    + ": the trail was cut back, or that head belongs to another trail");
        }
        return new Verification(rows, head.seq(), head.hash(), null);
    }

    private static Verification broken(long rows, AuditDao.Head head, String problem) {
        return new Verification(rows, head.seq(), head.hash(), problem);
    }
}

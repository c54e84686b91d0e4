package io.uploads.ledger;

import io.uploads.auth.TokenRecord;
import io.uploads.core.Actor;
import io.uploads.core.AuditEntry;
import io.uploads.core.AuditEvent;
import io.uploads.core.Ids;
import io.uploads.core.UploadException;
import io.uploads.core.UploadException.Problem;
import io.uploads.core.UploadSession;
import io.uploads.db.AuditChainDao;
import io.uploads.db.AuditDao;
import io.uploads.db.ClaimDao;
import io.uploads.db.Database;
import io.uploads.db.QuotaDao;
import io.uploads.db.SerialWrites;
import io.uploads.db.SessionDao;
import io.uploads.db.TokenDao;
import io.uploads.db.Write;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jspecify.annotations.Nullable;

/**
 * The write path: every transaction that changes a session, chunk, token or audit row runs here.
 * Each one locks what it changes, lets the use case check and write through a {@link Change}
 * (whose moves follow {@link io.uploads.core.Stage}'s table), appends the audit rows of what
 * changed, and commits them together; work on disk that depends on the commit runs after it.
 *
 * <p>Lock order, in every transaction, so that no two can wait for each other: the session row
 * ({@code SELECT ... FOR UPDATE}), then its writer claims (taken and given up only under the
 * session's row lock; a writer renews its own claim's row holding nothing else), then the
 * principal's quota row (only when a session is opened), then the audit chain's head, always last
 * and held only for the few statements before commit. On H2, every write of this process first
 * waits for its turn, and the writes that waited share one transaction, each behind a savepoint of
 * its own ({@link SerialWrites}); what follows a write's commit or rollback is registered on its
 * {@link Write}, so it runs for that write's outcome alone.
 *
 * <p>Once a write has committed, its {@link LedgerEvents} listener is told what it wrote
 * (metrics count from there, so they never count a change that was rolled back).
 */
public final class Ledger {

    /** The constraint that admits one active session per owner and client key (V4). */
    private static final String ACTIVE_CLIENT_KEY = "upload_session_active_client_key";

    private final Jdbi jdbi;
    private final Clock clock;
    private final LedgerEvents events;
    private final SerialWrites writes;
    /** Principals whose quota row is known to exist. */
    private final Set<String> quotaRows = ConcurrentHashMap.newKeySet();

    public Ledger(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, LedgerEvents.NONE);
    }

    public Ledger(Jdbi jdbi, Clock clock, LedgerEvents events) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.writes = SerialWrites.of(jdbi);
    }

    /** The order of this process's writes, which whatever else writes to the database must keep too. */
    public SerialWrites writes() {
        return writes;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Opens a new session: counts the owner's open sessions under the owner's quota row lock,
     * refuses past {@code maxOpenSessions}, inserts the row (audited as created) and lets
     * {@code work} record its first bytes in the same transaction.
     */
    public <T> T open(UploadSession fresh, int maxOpenSessions, Actor actor, Function<Change, T> work) {
        ensureQuotaRow(fresh.owner());
        try {
            return inTransaction(w -> openIn(w, fresh, maxOpenSessions, actor, work));
        } catch (JdbiException e) {
            if (Database.isUniqueViolation(e, ACTIVE_CLIENT_KEY)) {
                throw new DuplicateKey(e);
            }
            throw e;
        }
    }

    private <T> T openIn(Write w, UploadSession fresh, int maxOpenSessions, Actor actor, Function<Change, T> work) {
        w.attach(QuotaDao.class).lock(fresh.owner()).orElseThrow();
        Rows rows = new Rows(w);
        SessionDao sessions = rows.sessions();
        if (sessions.countOpen(fresh.owner()) >= maxOpenSessions) {
            throw new UploadException(Problem.TOO_MANY_SESSIONS, fresh.owner() + " already has "
                    + maxOpenSessions + " open upload sessions; finish or delete one");
        }
        sessions.insert(fresh);
        Change change = new Change(rows, clock, actor, fresh);
        change.audit(AuditEvent.SESSION_CREATED, null);
        return finish(rows, change, work.apply(change));
    }

    /** Locks the session's row and lets {@code work} change it; unknown ids are NOT_FOUND. */
    public <T> T change(String sessionId, Actor actor, Function<Change, T> work) {
        return inTransaction(w -> {
            Rows rows = new Rows(w);
            UploadSession locked = rows.sessions().lock(sessionId)
                    .orElseThrow(() -> new UploadException(Problem.NOT_FOUND, "no upload session " + sessionId));
            Change change = new Change(rows, clock, actor, locked);
            return finish(rows, change, work.apply(change));
        });
    }

    /**
     * A writer's claim on [start, end) of a session's file until {@code expiresAt}: refused with
     * WRITER_BUSY while a live claim overlaps it; claims past their time are removed on the way.
     *
     * @return the claim's id and the session as it was when the claim was taken
     */
    public Claimed claim(String sessionId, long start, long end, String holder, Instant expiresAt) {
        return inTransaction(w -> {
            Rows rows = new Rows(w);
            UploadSession locked = rows.sessions().lock(sessionId)
                    .orElseThrow(() -> new UploadException(Problem.NOT_FOUND, "no upload session " + sessionId));
            ClaimDao claims = rows.claims();
            Instant now = clock.instant();
            if (!claims.overlapping(sessionId, start, end).isEmpty()) {
                // those past their time go; then look again rather than decide on the first look:
                // another instance renews its claims by its own clock and without this row lock
                claims.deleteExpired(sessionId, now);
                if (!claims.overlapping(sessionId, start, end).isEmpty()) {
                    throw new UploadException(Problem.WRITER_BUSY, "another request is writing to session "
                            + sessionId + "; try again shortly");
                }
            }
            String id = Ids.next();
            claims.insert(id, sessionId, start, end, holder, expiresAt);
            return new Claimed(id, locked);
        });
    }

    /** A claim taken, and the session as it was then. */
    public record Claimed(String claimId, UploadSession session) {}

    /**
     * Keeps a claim alive; false when it is past its time: others count it as gone from then on
     * (another writer may have taken the range, a completion may have finished the file).
     */
    public boolean renewClaim(String claimId, Instant expiresAt) {
        Instant now = clock.instant();
        return writes.run(() -> jdbi.withExtension(ClaimDao.class, claims -> claims.renew(claimId, expiresAt, now))) > 0;
    }

    /**
     * Gives up a claim whose bytes were not recorded (recording them gives it up in their
     * transaction). If it was the session's last live claim, {@code lastWriter} is told where the
     * recorded bytes end, under the session's row lock: nobody is writing to the file then, and
     * nobody can record or claim until the transaction ends.
     */
    public void releaseClaim(String sessionId, String claimId, LongConsumer lastWriter) {
        inTransaction(w -> {
            Rows rows = new Rows(w);
            rows.sessions().lock(sessionId);
            ClaimDao claims = rows.claims();
            if (claims.delete(claimId) > 0 && claims.count(sessionId) == 0) {
                lastWriter.accept(rows.chunks().recordedEnd(sessionId));
            }
            return null;
        });
    }

    /** Recovery: removes the claims whose holders stopped renewing them, or are known to be gone. */
    public int releaseStaleClaims(Predicate<String> holderGone) {
        return writes.run(() -> jdbi.withExtension(ClaimDao.class, claims -> claims.deleteAllExpired(clock.instant())
                + claims.holders().stream().filter(holderGone).mapToInt(claims::deleteHeldBy).sum()));
    }

    /**
     * The client whose request completed the session has its answer: no lifecycle event, so no
     * audit row, and no lock (the column only ever becomes true).
     */
    public void completionAnswered(String sessionId) {
        inTransaction(w -> {
            w.attach(SessionDao.class).markCompletionAnswered(sessionId);
            return null;
        });
    }

    /** An event about no session (authentication denied), in a transaction of its own. */
    public void record(AuditEntry entry) {
        inTransaction(w -> {
            appendAndTell(w, List.of(entry));
            return null;
        });
    }

    /** Records an issued token with its audit row. */
    public void issueToken(TokenRecord token, Actor actor) {
        inTransaction(w -> {
            w.attach(TokenDao.class).insert(token);
            appendAndTell(w, List.of(tokenEvent(AuditEvent.TOKEN_ISSUED, actor,
                    "token " + token.jti() + " for " + token.principal() + " (groups " + token.groupsCsv()
                            + ", roles " + token.rolesCsv() + ", expires " + token.expiresAt() + ")")));
            return null;
        });
    }

    /**
     * Issues {@code token} only if no token exists yet (the first start); the signing key's row
     * is the lock that makes two first starts issue one.
     */
    public boolean issueFirstToken(TokenRecord token, String signingKeyId) {
        return inTransaction(w -> {
            Handle h = w.handle();
            h.createQuery("SELECT id FROM signing_key WHERE id = :id FOR UPDATE").bind("id", signingKeyId)
                    .mapTo(String.class).findOne();
            TokenDao tokens = w.attach(TokenDao.class);
            if (tokens.count() > 0) {
                return false;
            }
            tokens.insert(token);
            appendAndTell(w, List.of(tokenEvent(AuditEvent.TOKEN_ISSUED, Actor.SYSTEM,
                    "first-start admin token " + token.jti() + " for " + token.principal())));
            return true;
        });
    }

    /** Revokes the principal's valid tokens (or the one with {@code jti}); one audit row per token. */
    public int revokeTokens(Actor actor, @Nullable String principal, @Nullable String jti) {
        return inTransaction(w -> {
            TokenDao tokens = w.attach(TokenDao.class);
            List<TokenRecord> valid = (jti != null ? tokens.find(jti).stream().toList() : tokens.ofPrincipal(principal))
                    .stream().filter(t -> t.revokedAt() == null).toList();
            List<AuditEntry> events = valid.stream()
                    .filter(t -> tokens.revoke(t.jti(), clock.instant()) > 0)
                    .map(t -> tokenEvent(AuditEvent.TOKEN_REVOKED, actor,
                            "token " + t.jti() + " of " + t.principal()))
                    .toList();
            appendAndTell(w, events);
            return events.size();
        });
    }

    private AuditEntry tokenEvent(AuditEvent event, Actor actor, String detail) {
        return AuditEntry.of(event, actor, clock.instant(), detail);
    }

    private <T> T finish(Rows rows, Change change, T result) {
        Write w = rows.write();
        Committed committed = new Committed(append(rows, change.events()), change.chunksAdded(), change.assembly());
        // registered on this write alone, so its rollback drops them
        change.afterCommitActions().forEach(w::afterCommit);
        tellAfterCommit(w, committed);
        return result;
    }

    private void appendAndTell(Write w, List<AuditEntry> entries) {
        tellAfterCommit(w, Committed.auditOnly(append(new Rows(w), entries)));
    }

    /** The chain's head is locked last, then each entry takes the next place in the chain. */
    private static List<AuditEntry> append(Rows rows, List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        AuditChainDao audit = rows.audit();
        AuditDao.Head head = audit.lockHead();
        long seq = head.seq();
        String hash = head.hash();
        List<AuditEntry> appended = new ArrayList<>(entries.size());
        for (AuditEntry e : entries) {
            AuditEntry linked = AuditChain.link(e, seq, hash);
            audit.insert(linked);
            appended.add(linked);
            seq = linked.seq();
            hash = linked.hash();
        }
        audit.moveHead(seq, hash);
        return appended;
    }

    private void tellAfterCommit(Write w, Committed committed) {
        if (committed.audit().isEmpty() && committed.chunks().isEmpty()) {
            return;
        }
        w.afterCommit(() -> events.committed(committed));
    }

    private <T> T inTransaction(Function<Write, T> work) {
        return writes.inTransaction(work);
    }

    /** Creates the principal's quota row once, outside the transaction that locks it; rows are never deleted. */
    private void ensureQuotaRow(String principal) {
        if (quotaRows.contains(principal)) {
            return;
        }
        QuotaDao quota = jdbi.onDemand(QuotaDao.class);
        if (quota.find(principal).isPresent()) {
            quotaRows.add(principal);
            return;
        }
        try {
            writes.run(() -> quota.insert(principal));
        } catch (JdbiException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            // another request created it at the same moment
        }
        quotaRows.add(principal);
    }
}

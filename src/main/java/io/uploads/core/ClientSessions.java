package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Ledger;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's view of its own sessions: the resume queries of every protocol, and ending a session
 * (by its owner, or by an administrator) with its bytes deleted.
 */
public final class ClientSessions {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSessions.class);

    private final Ledger ledger;
    private final SessionQueries sessions;
    private final ChunkStore store;
    private final UploadsConfig config;
    private final UploadRules rules;

    public ClientSessions(Ledger ledger, SessionQueries sessions, ChunkStore store, UploadsConfig config,
                          UploadRules rules) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.config = config;
        this.rules = rules;
    }

    public SessionSnapshot find(Caller caller, String id, @Nullable String filename) {
        return rules.snapshot(rules.owned(caller, id, filename));
    }

    /** The caller's session row alone, without its last chunk. */
    public UploadSession owned(Caller caller, String id) {
        return rules.owned(caller, id, null);
    }

    /**
     * The caller's session as a resume query describes it: an aborted or expired session is not
     * resumable, its bytes are gone, so it is answered as an unknown one.
     */
    public SessionSnapshot findResumable(Caller caller, String id, @Nullable String filename) {
        UploadSession session = rules.owned(caller, id, filename);
        if (session.state() == SessionState.ABORTED || expired(session)) {
            throw rules.notFound(id);
        }
        return rules.snapshot(session);
    }

    /**
     * The caller's most recently active native session for this filename that it can still
     * continue: OPEN and not past its expiry. A tus or flow upload of the same name is not one (the
     * TSD client would resume it and have its next chunk refused), and without one the client
     * starts afresh.
     */
    public Optional<SessionSnapshot> latestResumable(Caller caller, String filename) {
        return sessions.latestOpen(caller.name(), filename, Protocol.RESUMABLES, ledger.clock().instant())
                .map(rules::snapshot);
    }

    public List<SessionSnapshot> listOpen(Caller caller) {
        return sessions.listOpenWithLastChunk(caller.name(), config.maxOpenSessionsPerPrincipal());
    }

    /** Abandons an OPEN session and deletes its bytes; its rows stay for the audit. */
    public UploadSession abort(Caller caller, String id, @Nullable String filename) {
        rules.owned(caller, id, filename);
        return abort(id, caller.actor(), "by its owner");
    }

    /**
     * Abandons an open session (also one due for completion), by its owner or an administrator,
     * and deletes its bytes; a finished one is refused and never changes.
     */
    public UploadSession abort(String id, Actor actor, String detail) {
        UploadSession aborted = ledger.change(id, actor, change -> {
            UploadSession locked = change.session();
            if (locked.stage() != Stage.COMPLETION_DUE) {
                rules.requireOpen(locked);
            }
            change.moveTo(Stage.ABORTED, detail);
            change.afterCommit(() -> store.deleteSession(id));
            return change.session();
        });
        LOG.info("Session {} aborted by {} ({})", id, actor.name(), detail);
        return aborted;
    }

    /** Expired, or open past its expiry, which the sweep may not have noticed yet. */
    public boolean expired(UploadSession session) {
        return rules.expired(session);
    }
}

package io.uploads.core;

import io.uploads.config.UploadsConfig;
import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import io.uploads.core.ChunkStore.Received;
import io.uploads.core.UploadException.Problem;
import io.uploads.db.SessionQueries;
import io.uploads.ledger.Change;
import io.uploads.ledger.Ledger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion, whatever the protocol: exactly one request moves a session holding every byte to
 * ASSEMBLING, the file is assembled and placed, and the session COMPLETED; an assembly that cannot
 * finish leaves the session as it was (open, or due for completion by the server's sweep).
 */
public final class Completion {

    private static final Logger LOG = LoggerFactory.getLogger(Completion.class);

    private final Ledger ledger;
    private final SessionQueries sessions;
    private final ChunkStore store;
    private final RunningDigests digests;
    private final Assembler assembler;
    private final UploadsConfig config;
    private final UploadRules rules;

    public Completion(Ledger ledger, SessionQueries sessions, ChunkStore store, RunningDigests digests,
                      UploadsConfig config, UploadRules rules) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.digests = digests;
        this.assembler = new Assembler(store, digests, config.onExistingFile());
        this.config = config;
        this.rules = rules;
    }

    /**
     * Assembles the final file of a session of {@code protocol} on its client's request, once every
     * chunk is recorded. Exactly one
     * caller moves the session to ASSEMBLING; asking again after completion returns the completed
     * session unchanged.
     */
    public SessionSnapshot complete(Caller caller, Protocol protocol, String id, @Nullable String filename,
                                    @Nullable String group) {
        UploadSession session = rules.owned(caller, id, filename);
        rules.requireProtocol(session, protocol);
        return complete(session, group == null ? session.groupName() : caller.groupFor(group), caller.actor());
    }

    /**
     * Completes OPEN sessions that have held every byte of their declared length since before
     * {@code before}: a crash cut off the completion that follows the last bytes (tus), or the
     * assembly could not finish then (storage full, name taken). Those that still cannot be
     * completed stay due for the next try.
     *
     * @return how many were completed
     */
    public int completeDueSessions(Instant before) {
        int completed = 0;
        for (UploadSession s : sessions.completionDue(before, 500)) {
            try {
                complete(s, s.groupName(), Actor.SYSTEM);
                completed++;
                LOG.info("Session {} completed by the server: it held every byte since {}", s.id(), s.updatedAt());
            } catch (UploadException e) {
                LOG.warn("Session {} holds every byte but cannot be completed now: {}", s.id(), e.getMessage());
            } catch (RuntimeException e) {
                // a storage or database failure: the others are still tried, this one at the next pass
                LOG.error("Session {} holds every byte but could not be completed", s.id(), e);
            }
        }
        return completed;
    }

    SessionSnapshot complete(UploadSession session, String groupName, Actor actor) {
        String id = session.id();
        if (session.state() == SessionState.COMPLETED) {
            return rules.snapshot(session);
        }
        UploadSession assembling = ledger.change(id, actor, change -> {
            UploadSession locked = change.session();
            if (locked.state() == SessionState.COMPLETED) {
                return locked;
            }
            if (locked.state() == SessionState.ASSEMBLING) {
                throw new UploadException(Problem.ASSEMBLY_IN_PROGRESS, "session " + id + " is being assembled; ask again shortly");
            }
            // a writer's bytes would land in the final file, which is the session's file linked
            if (change.writerClaimed()) {
                throw new UploadException(Problem.WRITER_BUSY, "a chunk of session " + id
                        + " is still being received; complete the upload once it is recorded");
            }
            completeWithin(change, groupName, null, null);
            return change.session();
        });
        if (assembling.state() == SessionState.COMPLETED) {
            return rules.snapshot(assembling);
        }
        return rules.snapshot(finishAssembly(assembling, actor));
    }

    /**
     * By the writer that holds the claim on the rest of a sequential upload and has just written
     * its last bytes, before the transaction that records them: places the file under its final
     * name there and then, so that the transaction (on H2, one at a time in the process) holds no
     * link and no fsync. That transaction checks the recorded chunks and records the name, or
     * removes it ({@link #completeWithin}); should it roll back, the claim's release removes it
     * ({@link WriterClaims.Claim#undoOnRelease}), and after a crash recovery does.
     *
     * @return null when the file cannot be placed now: the transaction then tries as always
     */
    Assembler.@Nullable Placed placeAhead(UploadSession session, Received last) {
        try {
            store.requireFreeSpace(0);
            requireNameFree(session.groupName(), session.filename(), session.id());
            return assembler.place(session, last.end(), last);
        } catch (RuntimeException e) {
            LOG.debug("Session {}: file not placed ahead of its last bytes' transaction: {}", session.id(), e.toString());
            return null;
        }
    }

    /** Removes a name placed ahead whose bytes were not recorded. */
    void withdraw(Assembler.@Nullable Placed ahead) {
        if (ahead != null) {
            assembler.unplace(ahead);
        }
    }

    /**
     * Under the session's row lock: moves a session holding every byte to ASSEMBLING and, in the
     * same transaction, places its file ({@link #placeWithin}); refused, it changes nothing. The
     * transaction that records an upload's last bytes calls this too, so an upload that ends with
     * its last request costs no transaction more than its other requests.
     *
     * @param last the bytes this transaction records, whose digest may reach the file's end
     * @param ahead their file as {@link #placeAhead} placed it, if it did: recorded when the chunks
     *        hold exactly its bytes, otherwise removed (the session's writer claim was given up in
     *        this transaction, so nobody else can place it until it ends)
     */
    void completeWithin(Change change, String groupName, @Nullable Received last, Assembler.@Nullable Placed ahead) {
        try {
            UploadSession locked = change.session();
            requireCompletable(locked);
            List<Chunk> chunks = change.chunks();
            requireAllBytes(locked, chunks);
            // placing the file takes no space, but below the minimum the service refuses to finish
            // uploads as it refuses their bytes: a client that ignored a refused chunk would complete a short file
            store.requireFreeSpace(0);
            requireNameFree(groupName, locked.filename(), locked.id());
            boolean regrouped = !groupName.equals(locked.groupName());
            if (regrouped) {
                change.setGroup(groupName);
            }
            change.moveTo(Stage.ASSEMBLING, null);
            if (ahead != null && !regrouped && assembler.holdsRecorded(locked, chunks, ahead)) {
                record(change, ahead);
                return;
            }
            withdraw(ahead);
            // into another group, placed after the move commits: a rolled-back row would not tell
            // recovery of that group's name
            if (!regrouped) {
                placeWithin(change, chunks, last);
            }
        } catch (RuntimeException e) {
            withdraw(ahead);
            throw e;
        }
    }

    /**
     * Under the row lock of a session that this transaction moved to ASSEMBLING: places its file
     * and records it COMPLETED. The file is linked under its final name before the transaction
     * commits; should it roll back, the name is removed, and one left by a crash is removed by
     * recovery. When the file cannot be placed now, the session is left ASSEMBLING, and the
     * caller's {@link #finishAssembly}, after commit, places it or decides what the failure means.
     */
    void placeWithin(Change change, List<Chunk> chunks, @Nullable Received last) {
        UploadSession assembling = change.session();
        Assembler.Placed placed;
        try {
            placed = assembler.assemble(assembling, chunks, last);
        } catch (RuntimeException e) {
            LOG.debug("Session {}: file not placed with its last bytes, tried again after commit: {}",
                    assembling.id(), e.toString());
            return;
        }
        change.onRollback(() -> assembler.unplace(placed));
        record(change, placed);
    }

    private void record(Change change, Assembler.Placed placed) {
        String id = change.session().id();
        change.complete(placed.relativePath(), placed.sha256(), placed.size());
        change.afterCommit(() -> {
            LOG.info("Session {} completed: {} ({} bytes, sha256 {})", id, placed.relativePath(), placed.size(),
                    placed.sha256());
            forget(id);
        });
    }

    /**
     * Builds the final file of a session in ASSEMBLING and records completion. Also how recovery
     * finishes a session a crash left half-assembled: every step may safely run again.
     */
    public UploadSession finishAssembly(UploadSession session, Actor actor) {
        String id = session.id();
        Assembler.Placed placed;
        try {
            placed = assembler.assemble(session, sessions.chunks(id), null);
        } catch (UploadException e) {
            if (e.problem() == Problem.BYTES_UNUSABLE) {
                ledger.change(id, actor, change -> {
                    change.moveTo(Stage.FAILED, e.getMessage());
                    change.afterCommit(() -> forget(id));
                    return null;
                });
                LOG.warn("Session {} failed: {}", id, e.getMessage());
            } else {
                release(id, e, actor);
            }
            throw e;
        } catch (RuntimeException e) {
            release(id, e, actor);
            throw e;
        }
        UploadSession completed = ledger.change(id, actor, change -> {
            if (change.session().state() == SessionState.ASSEMBLING) {
                change.complete(placed.relativePath(), placed.sha256(), placed.size());
                LOG.info("Session {} completed: {} ({} bytes, sha256 {})", id, placed.relativePath(), placed.size(),
                        placed.sha256());
            }
            // the bytes live on under the final name; recovery removes what a crash leaves here
            change.afterCommit(() -> forget(id));
            return change.session();
        });
        return completed;
    }

    /**
     * Recovery: removes the final name that a completion placed before a crash cut off its
     * transaction (the database still has the session open). Looked for without a lock, removed
     * under the session's row lock, which a completion holds from placing the name to its commit,
     * unless a writer holds a claim on the session: the writer of a sequential upload's last bytes
     * places the name before it takes that lock ({@link #placeAhead}), and recovery first releases
     * the claims of writers that are gone.
     *
     * @return whether a name was removed
     */
    public boolean removeUncommittedName(UploadSession session) {
        if (assembler.placedName(session).isEmpty()) {
            return false;
        }
        return ledger.change(session.id(), Actor.SYSTEM, change -> {
            UploadSession locked = change.session();
            Optional<Path> placed = locked.state() == SessionState.OPEN && !change.writerClaimed()
                    ? assembler.placedName(locked) : Optional.empty();
            if (placed.isEmpty()) {
                return false;
            }
            assembler.unplace(placed.get());
            String name = store.root().relativize(placed.get()).toString();
            change.audit(AuditEvent.SESSION_RECOVERED, "removed " + name + ", placed by a completion that did not commit");
            LOG.info("Session {} recovered: removed {}, placed by a completion that did not commit", locked.id(), name);
            return true;
        });
    }

    /**
     * Recovery, before it deletes the file of a session that is finished without completing, or
     * that no row knows: removes the final names still linked to it (a creation-with-upload whose
     * transaction a crash cut off after it linked the name).
     *
     * @return how many names were removed
     */
    public int removeUnrecordedNames(String sessionId) {
        List<Path> names = assembler.namesOfUnrecorded(sessionId);
        for (Path name : names) {
            assembler.unplace(name);
            LOG.info("Session {} recovered: removed {}, placed by a completion that did not commit", sessionId,
                    store.root().relativize(name));
        }
        return names.size();
    }

    private void forget(String id) {
        store.deleteSession(id);
        digests.forget(id);
    }

    /**
     * Assembly could not finish but every byte is still there: the session takes chunks again, or
     * (its length declared and reached) waits for the server to complete it.
     */
    private void release(String id, RuntimeException cause, Actor actor) {
        ledger.change(id, actor, change -> {
            change.moveTo(change.session().allBytesReceived() ? Stage.COMPLETION_DUE : Stage.OPEN,
                    "assembly did not finish: " + cause.getMessage());
            return null;
        });
        LOG.warn("Session {}: assembly did not finish, session is open again: {}", id, cause.toString());
    }

    /**
     * Under the reject policy, a final name already taken (by another file than the session's
     * own) is refused before any work is done.
     */
    void requireNameFree(String group, String filename, @Nullable String sessionId) {
        if (config.onExistingFile() == ExistingFilePolicy.reject && assembler.nameTaken(group, filename, sessionId)) {
            throw new UploadException(Problem.FILE_EXISTS, "a file named " + filename + " already exists in group "
                    + group);
        }
    }

    /** Holds every byte of its declared length, or is open and not past its expiry. */
    private void requireCompletable(UploadSession session) {
        if (session.stage() != Stage.COMPLETION_DUE) {
            rules.requireOpen(session);
        }
    }

    private static void requireAllBytes(UploadSession session, List<Chunk> recorded) {
        long sum = recorded.stream().mapToLong(Chunk::sizeBytes).sum();
        boolean declaredEmpty = session.totalSize() != null && session.totalSize() == 0;
        if ((recorded.isEmpty() && !declaredEmpty) || recorded.size() != session.maxChunk()
                || sum != session.receivedBytes()) {
            throw new UploadException(Problem.INCOMPLETE_UPLOAD,
                    "session " + session.id() + " has no complete run of chunks to assemble");
        }
        if (session.totalSize() != null && sum != session.totalSize()) {
            throw new UploadException(Problem.INCOMPLETE_UPLOAD,
                    "received " + sum + " of " + session.totalSize() + " bytes");
        }
    }
}

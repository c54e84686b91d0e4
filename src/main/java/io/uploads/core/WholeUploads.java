package io.uploads.core;

import java.io.InputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole file in one request (the native API's {@code PUT}): all or nothing. Its client never
 * learns the id of the session it opens, so a file that does not complete leaves no session
 * behind holding its bytes until the session expires, and a name already taken under the
 * {@code reject} policy is refused before the body is read.
 */
public final class WholeUploads {

    private static final Logger LOG = LoggerFactory.getLogger(WholeUploads.class);

    private final SequentialUploads uploads;
    private final Completion completion;
    private final ClientSessions sessions;

    public WholeUploads(SequentialUploads uploads, Completion completion, ClientSessions sessions) {
        this.uploads = uploads;
        this.completion = completion;
        this.sessions = sessions;
    }

    public SessionSnapshot upload(Caller caller, String filename, @Nullable String group, InputStream body,
                                  ChunkChecks checks, long maxBytes) {
        Filenames.requireValid(filename);
        completion.requireNameFree(caller.groupFor(group), filename, null);
        SessionSnapshot started = uploads.start(caller, Protocol.RESUMABLES, filename, group, body, checks, maxBytes);
        String id = started.session().id();
        try {
            return completion.complete(caller, Protocol.RESUMABLES, id, filename, null);
        } catch (RuntimeException e) {
            try {
                sessions.abort(id, caller.actor(), "its whole-file upload did not complete: " + e.getMessage());
            } catch (RuntimeException notAborted) {
                LOG.warn("Session {}: left open after its whole-file upload did not complete", id, notAborted);
                e.addSuppressed(notAborted);
            }
            throw e;
        }
    }
}

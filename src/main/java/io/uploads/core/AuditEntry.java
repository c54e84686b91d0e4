package io.uploads.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One row of the audit trail. {@code seq}, {@code prevHash} and {@code hash} are given when the
 * row is appended to the chain; before that they are 0 and null.
 *
 * @param event an {@link AuditEvent} code, e.g. {@code session_completed}
 * @param bytes the session's bytes at the event (the final size on completion)
 */
public record AuditEntry(
        long seq,
        Instant occurredAt,
        String actor,
        String event,
        @Nullable String sessionId,
        @Nullable String protocol,
        @Nullable String filename,
        @Nullable String groupName,
        @Nullable Long bytes,
        @Nullable String remoteAddr,
        @Nullable String detail,
        @Nullable String prevHash,
        @Nullable String hash) {

    /** An event about a session, before it is appended. */
    public static AuditEntry about(UploadSession s, AuditEvent event, Actor actor, Instant at, @Nullable String detail) {
        return new AuditEntry(0, at, actor.name(), event.code(), s.id(), s.protocol().wireName(), s.filename(),
                s.groupName(), s.receivedBytes(), actor.remoteAddress(), detail, null, null);
    }

    /** An event about no session (authentication, tokens), before it is appended. */
    public static AuditEntry of(AuditEvent event, Actor actor, Instant at, @Nullable String detail) {
        return new AuditEntry(0, at, actor.name(), event.code(), null, null, null, null, null,
                actor.remoteAddress(), detail, null, null);
    }

    public AuditEntry chained(long seq, String prevHash, String hash) {
        return new AuditEntry(seq, occurredAt, actor, event, sessionId, protocol, filename, groupName, bytes,
                remoteAddr, detail, prevHash, hash);
    }
}

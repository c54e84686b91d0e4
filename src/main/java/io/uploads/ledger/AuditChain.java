package io.uploads.ledger;

import io.uploads.core.AuditEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The hash chain of the audit trail. A row's hash is
 * <pre>
 * hash = hex(SHA-256(prev_hash + "\n" + canonical(row)))
 * </pre>
 * where {@code prev_hash} is the previous row's hash (64 zeros before the first row) and
 * {@code canonical(row)} lists the row's fields in this order, one per line (joined by
 * {@code "\n"}): seq, occurred_at, actor, event, session_id, protocol, filename, group, bytes,
 * remote_addr, detail. A field that is null is {@code -}; any other is its length in UTF-8 bytes,
 * a colon, and its text: {@code 5:alice}. seq and bytes are decimal; occurred_at is ISO-8601 in
 * UTC with microseconds at most ({@code 2026-12-01T10:15:30.123456Z}, as {@link Instant#toString}
 * prints it). The encoding is unambiguous, so anyone can recompute the chain from the table alone.
 */
public final class AuditChain {

    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    /** The entry with its place in the chain after {@code prevSeq} / {@code prevHash}. */
    public static AuditEntry link(AuditEntry entry, long prevSeq, String prevHash) {
        AuditEntry placed = new AuditEntry(prevSeq + 1, entry.occurredAt().truncatedTo(ChronoUnit.MICROS),
                entry.actor(), entry.event(), entry.sessionId(), entry.protocol(), entry.filename(),
                entry.groupName(), entry.bytes(), entry.remoteAddr(), entry.detail(), null, null);
        return placed.chained(placed.seq(), prevHash, hash(prevHash, placed));
    }

    public static String hash(String prevHash, AuditEntry e) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", ex);
        }
        sha256.update((prevHash + "\n" + canonical(e)).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest());
    }

    static String canonical(AuditEntry e) {
        return String.join("\n",
                field(Long.toString(e.seq())),
                field(e.occurredAt().toString()),
                field(e.actor()),
                field(e.event()),
                field(e.sessionId()),
                field(e.protocol()),
                field(e.filename()),
                field(e.groupName()),
                field(e.bytes() == null ? null : e.bytes().toString()),
                field(e.remoteAddr()),
                field(e.detail()));
    }

    private static String field(@Nullable String value) {
        return value == null ? "-" : value.getBytes(StandardCharsets.UTF_8).length + ":" + value;
    }
}

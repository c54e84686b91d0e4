package io.uploads.ledger;

import io.uploads.core.AuditEntry;
import io.uploads.core.Chunk;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one committed {@link Ledger} transaction wrote.
 *
 * @param audit the audit rows it appended, as chained
 * @param chunks the chunks it recorded (chunks are not audited one by one)
 * @param assembly when it completed a session: the time from entering ASSEMBLING to COMPLETED
 */
public record Committed(List<AuditEntry> audit, List<Chunk> chunks, @Nullable Duration assembly) {

    public Committed {
        audit = List.copyOf(audit);
        chunks = List.copyOf(chunks);
    }

    static Committed auditOnly(List<AuditEntry> audit) {
        return new Committed(audit, List.of(), null);
    }
}

package io.uploads.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.uploads.core.Caller;
import io.uploads.ledger.AuditTrail;
import io.uploads.protocols.Parameters;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /admin/audit/verify[?expect_head=<hash>]} (role {@code admin}): the audit trail's hash
 * chain recomputed, as the {@code audit-verify} command and the admin-port task do, for the
 * dashboard. Verifications run one at a time: each reads the whole trail.
 */
@Path("/admin/audit/verify")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
public final class AuditVerifyResource {

    private final AuditTrail audit;
    private final Clock clock;

    public AuditVerifyResource(AuditTrail audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * @param problem the first bad row, as {@code audit-verify} names it; null when intact
     * @param checkedAt when this verification finished
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Verification(boolean intact, long rows, long headSeq, String headHash, @Nullable String problem,
                               String checkedAt) {}

    @GET
    public synchronized Verification verify(@Context UriInfo uri) {
        AuditTrail.Verification v = audit.verify(Parameters.single(uri.getQueryParameters(), "expect_head"));
        return new Verification(v.intact(), v.rows(), v.headSeq(), v.headHash(), v.problem(),
                clock.instant().toString());
    }
}

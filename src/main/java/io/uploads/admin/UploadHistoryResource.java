package io.uploads.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.uploads.core.Caller;
import io.uploads.db.AdminQueries;
import io.uploads.protocols.Parameters;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/uploads/history[?hours=24]} (role {@code admin}): uploads completed and their
 * bytes per hour over the last {@code hours} hours (1 to 168), the current hour last, hours without
 * uploads included as zeros, so a chart can plot the list as it is.
 */
@Path("/admin/uploads/history")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
public final class UploadHistoryResource {

    static final int DEFAULT_HOURS = 24;
    static final int MAX_HOURS = 7 * 24;

    private final AdminQueries queries;
    private final Clock clock;

    public UploadHistoryResource(AdminQueries queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    /** One hour: {@code hour} is its start. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Hour(String hour, long uploads, long bytes) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record History(String since, String computedAt, List<Hour> hours) {}

    @GET
    public History history(@Context UriInfo uri) {
        int hours = Parameters.number(uri.getQueryParameters(), "hours", DEFAULT_HOURS, MAX_HOURS);
        Instant now = clock.instant();
        Instant since = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours - 1L));
        Map<Long, AdminQueries.HourTally> tallies = new HashMap<>();
        for (AdminQueries.HourTally t : queries.completedPerHour(since)) {
            tallies.put(t.hour(), t);
        }
        List<Hour> list = new ArrayList<>(hours);
        for (int i = 0; i < hours; i++) {
            Instant start = since.plus(Duration.ofHours(i));
            AdminQueries.HourTally t = tallies.get(start.getEpochSecond() / 3600);
            list.add(new Hour(start.toString(), t == null ? 0 : t.uploads(), t == null ? 0 : t.bytes()));
        }
        return new History(since.toString(), now.toString(), list);
    }
}

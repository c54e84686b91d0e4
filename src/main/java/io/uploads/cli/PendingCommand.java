package io.uploads.cli;

import io.uploads.Services;
import io.uploads.admin.Durations;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.db.AdminQueries;
import io.uploads.db.AdminQueries.SessionFilter;
import io.uploads.db.AdminQueries.SessionKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code pending [--idle-longer-than <duration>] [--owner <name>] config.yml}: the open sessions of
 * every owner, newest first, as a table; works while servers run on the same database.
 */
public final class PendingCommand extends DatabaseCommand {

    private static final String ROW = "%-36s  %-16s  %-16s  %-12s  %-30s  %-23s  %s";
    private static final int PAGE = 500;

    public PendingCommand() {
        super("pending", "Lists open upload sessions of every owner");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--idle-longer-than").metavar("DURATION")
                .help("only sessions idle longer than this: 1h, 30m, PT1H, '7 days'");
        subparser.addArgument("--owner").help("only this principal's sessions");
        super.configure(subparser);
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        Instant now = services.ledger().clock().instant();
        String idle = namespace.getString("idle_longer_than");
        Instant idleSince;
        try {
            idleSince = idle == null ? null : Durations.before(now, Durations.parse(idle), idle);
        } catch (IllegalArgumentException e) {
            return new Outcome(List.of("--idle-longer-than: " + e.getMessage()), false);
        }
        SessionFilter filter = new SessionFilter(SessionState.OPEN, null, namespace.getString("owner"), null, null,
                idleSince, null, null);
        List<String> lines = new ArrayList<>();
        lines.add(ROW.formatted("ID", "OWNER", "GROUP", "PROTOCOL", "FILENAME", "RECEIVED/TOTAL", "IDLE"));
        SessionKey after = null;
        int count = 0;
        List<AdminQueries.Listed> page;
        do {
            page = services.adminQueries().sessions(filter, after, PAGE);
            for (AdminQueries.Listed listed : page) {
                UploadSession s = listed.session();
                lines.add(ROW.formatted(s.id(), s.owner(), s.groupName(), s.protocol().wireName(), s.filename(),
                        s.receivedBytes() + "/" + (s.totalSize() == null ? "?" : s.totalSize()),
                        Durations.describe(Duration.between(s.updatedAt(), now))));
                after = new SessionKey(s.createdAt(), s.id());
                count++;
            }
        } while (page.size() == PAGE);
        lines.add(count + " open session(s)");
        return Outcome.ok(lines);
    }
}

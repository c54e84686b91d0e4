package io.uploads.cli;

import io.uploads.Services;
import io.uploads.auth.TokenRecord;
import io.uploads.auth.TokenService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/** {@code token-list config.yml}: every issued token, with whether it is still valid. */
public final class TokenListCommand extends DatabaseCommand {

    private static final String ROW = "%-36s  %-20s  %-30s  %-14s  %-24s  %s";

    public TokenListCommand() {
        super("token-list", "Lists issued tokens (never the tokens themselves)");
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        Instant now = Instant.now();
        List<String> lines = new ArrayList<>();
        lines.add(ROW.formatted("ID", "PRINCIPAL", "GROUPS", "ROLES", "EXPIRES", "STATUS"));
        for (TokenRecord t : services.tokens().list()) {
            String status = t.revokedAt() != null ? "revoked " + t.revokedAt() : t.validAt(now) ? "valid" : "expired";
            lines.add(ROW.formatted(t.jti(), t.principal(), t.groupsCsv(), t.rolesCsv(), t.expiresAt(), status));
        }
        return Outcome.ok(lines);
    }
}

package io.uploads.cli;

import io.dropwizard.util.Duration;
import io.uploads.Services;
import io.uploads.auth.TokenService;
import io.uploads.core.Actor;
import io.uploads.core.Caller;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/** {@code token-create --principal <name> --groups <g1,g2> [--admin] [--ttl <duration>] config.yml} */
public final class TokenCreateCommand extends DatabaseCommand {

    public TokenCreateCommand() {
        super("token-create", "Issues a token; prints it alone on the last line");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--principal").required(true).help("who the token identifies");
        subparser.addArgument("--groups").required(true).help("comma-separated groups the principal may upload into");
        subparser.addArgument("--admin").action(Arguments.storeTrue()).help("also grant the admin role");
        subparser.addArgument("--ttl").help("lifetime, e.g. '90 days' (default: auth.tokenTtl)");
        super.configure(subparser);
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        List<String> groups = Arrays.stream(namespace.getString("groups").split(","))
                .map(String::trim)
                .filter(g -> !g.isEmpty())
                .toList();
        Set<String> roles = new LinkedHashSet<>(List.of(Caller.UPLOADER));
        if (namespace.getBoolean("admin")) {
            roles.add(Caller.ADMIN);
        }
        String ttl = namespace.getString("ttl");
        Duration lifetime = ttl == null ? services.config().auth().tokenTtl() : Duration.parse(ttl);
        TokenService.Issued issued = services.tokens()
                .issue(namespace.getString("principal"), groups, roles, Services.javaDuration(lifetime), Actor.cli("token-create"));
        return Outcome.ok(List.of(
                "Token %s for %s (groups %s, roles %s), expires %s:".formatted(issued.record().jti(),
                        issued.record().principal(), issued.record().groupsCsv(), issued.record().rolesCsv(),
                        issued.record().expiresAt()),
                issued.token()));
    }
}

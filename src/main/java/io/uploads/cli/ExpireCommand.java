package io.uploads.cli;

import io.uploads.Services;
import io.uploads.core.Actor;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/** {@code expire config.yml}: expires idle sessions now, as the server's schedule would. */
public final class ExpireCommand extends DatabaseCommand {

    public ExpireCommand() {
        super("expire", "Expires open sessions idle past their TTL and deletes their bytes");
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        return Outcome.ok(List.of("Expired " + services.expiry().expireIdleSessions(Actor.cli("expire")) + " session(s)"));
    }
}

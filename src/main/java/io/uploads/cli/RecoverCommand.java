package io.uploads.cli;

import io.uploads.Services;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code recover config.yml}: the start-up reconciliation of disk and database, on demand. Servers
 * may be running on the same storage, so it leaves alone what changed within the grace period of
 * a running server ({@link io.uploads.core.Recovery#runWhileServing}); what it leaves, the next
 * start-up takes.
 */
public final class RecoverCommand extends DatabaseCommand {

    public RecoverCommand() {
        super("recover", "Reconciles storage and database (runs at every start too)");
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        return Outcome.ok(List.of(services.recovery().runWhileServing().toString()));
    }
}

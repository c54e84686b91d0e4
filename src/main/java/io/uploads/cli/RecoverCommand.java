package io.uploads.cli;

import io.uploads.Services;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code recover config.yml}: the start-up reconciliation of disk and database, on demand. While
 * servers run on the same storage, give {@code uploads.recoveryGracePeriod} a value longer than
 * any chunk upload, or it may remove a chunk that is still being received.
 */
public final class RecoverCommand extends DatabaseCommand {

    public RecoverCommand() {
        super("recover", "Reconciles storage and database (runs at every start too)");
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        return Outcome.ok(List.of(services.recovery().run().toString()));
    }
}

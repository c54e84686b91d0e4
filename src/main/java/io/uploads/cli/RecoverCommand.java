package io.uploads.cli;

import io.uploads.UploadServiceApplication;
import io.uploads.UploadServiceConfiguration;
import io.uploads.core.ChunkStore;
import io.uploads.core.Recovery;
import io.uploads.core.UploadService;
import java.time.Clock;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import org.jdbi.v3.core.Jdbi;

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
    List<String> run(Namespace namespace, UploadServiceConfiguration config, Jdbi jdbi) {
        Clock clock = UploadServiceApplication.clock();
        ChunkStore store = UploadServiceApplication.chunkStore(config);
        UploadService uploads = new UploadService(jdbi, store, clock, config.uploads());
        Recovery.Report report = UploadServiceApplication.recovery(config, jdbi, store, uploads, clock).run();
        return List.of(report.toString());
    }
}

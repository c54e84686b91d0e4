package io.uploads.cli;

import io.uploads.UploadServiceApplication;
import io.uploads.UploadServiceConfiguration;
import io.uploads.core.UploadService;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import org.jdbi.v3.core.Jdbi;

/** {@code expire config.yml}: expires idle sessions now, as the server's schedule would. */
public final class ExpireCommand extends DatabaseCommand {

    public ExpireCommand() {
        super("expire", "Expires open sessions idle past their TTL and deletes their bytes");
    }

    @Override
    List<String> run(Namespace namespace, UploadServiceConfiguration config, Jdbi jdbi) {
        UploadService uploads = new UploadService(jdbi, UploadServiceApplication.chunkStore(config),
                UploadServiceApplication.clock(), config.uploads());
        return List.of("Expired " + uploads.expireIdleSessions() + " session(s)");
    }
}

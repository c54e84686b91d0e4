package io.uploads.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.uploads.core.Recovery;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/recover} on the admin port: the start-up reconciliation, now. Finishes
 * sessions left ASSEMBLING without a restart. Uploads are arriving meanwhile, so it leaves alone
 * what changed within the grace period of a running server ({@link Recovery#runWhileServing}).
 */
public final class RecoverTask extends Task {

    private final Recovery recovery;

    public RecoverTask(Recovery recovery) {
        super("recover");
        this.recovery = recovery;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        output.println(recovery.runWhileServing());
    }
}

package io.uploads.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.uploads.core.Actor;
import io.uploads.core.Expiry;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code POST /tasks/expire} on the admin port: the expiry sweep, now. */
public final class ExpireTask extends Task {

    private final Expiry expiry;

    public ExpireTask(Expiry expiry) {
        super("expire");
        this.expiry = expiry;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        output.println("Expired " + expiry.expireIdleSessions(Actor.task("expire")) + " session(s)");
    }
}

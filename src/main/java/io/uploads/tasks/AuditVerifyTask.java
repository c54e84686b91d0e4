package io.uploads.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.uploads.ledger.AuditTrail;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/audit-verify[?expect-head=<hash>]} on the admin port: the audit trail's chain
 * recomputed, answered with the same line as the {@code audit-verify} command.
 */
public final class AuditVerifyTask extends Task {

    private final AuditTrail audit;

    public AuditVerifyTask(AuditTrail audit) {
        super("audit-verify");
        this.audit = audit;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        List<String> expected = parameters.getOrDefault("expect-head", List.of());
        output.println(audit.verify(expected.isEmpty() ? null : expected.get(0)).summary());
    }
}

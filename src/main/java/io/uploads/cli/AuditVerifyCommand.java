package io.uploads.cli;

import io.uploads.Services;
import io.uploads.ledger.AuditTrail;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code audit-verify [--expect-head <hash>] config.yml}: recomputes the audit trail's hash chain.
 * Exits 0 with the row count and the head on its last line when intact; non-zero, naming the first
 * bad row, when not. Safe while servers append.
 */
public final class AuditVerifyCommand extends DatabaseCommand {

    public AuditVerifyCommand() {
        super("audit-verify", "Verifies the audit trail's hash chain; prints the row count and the head");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--expect-head").metavar("HASH")
                .help("a head recorded earlier (64 hex): fail when no row carries it (the trail was cut back)");
        super.configure(subparser);
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        AuditTrail.Verification v = services.audit().verify(namespace.getString("expect_head"));
        return new Outcome(List.of(v.summary()), v.intact());
    }
}

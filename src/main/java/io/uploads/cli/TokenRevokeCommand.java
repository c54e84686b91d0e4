package io.uploads.cli;

import io.uploads.Services;
import io.uploads.auth.TokenService;
import io.uploads.core.Actor;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/** {@code token-revoke --principal <name> | --id <jti> config.yml}; effective at the next request. */
public final class TokenRevokeCommand extends DatabaseCommand {

    public TokenRevokeCommand() {
        super("token-revoke", "Revokes every token of a principal, or one token by id");
    }

    @Override
    public void configure(Subparser subparser) {
        var which = subparser.addMutuallyExclusiveGroup().required(true);
        which.addArgument("--principal").help("revoke all tokens of this principal");
        which.addArgument("--id").help("revoke the token with this id (jti)");
        super.configure(subparser);
    }

    @Override
    Outcome run(Namespace namespace, Services services) {
        TokenService tokens = services.tokens();
        String principal = namespace.getString("principal");
        int revoked = principal != null ? tokens.revokePrincipal(principal, Actor.cli("token-revoke"))
                : tokens.revoke(namespace.getString("id"), Actor.cli("token-revoke"));
        return Outcome.ok(List.of("Revoked " + revoked + " token(s)"));
    }
}

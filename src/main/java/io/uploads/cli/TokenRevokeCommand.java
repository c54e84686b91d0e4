package io.uploads.cli;

import io.uploads.UploadServiceApplication;
import io.uploads.UploadServiceConfiguration;
import io.uploads.auth.TokenService;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.jdbi.v3.core.Jdbi;

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
    List<String> run(Namespace namespace, UploadServiceConfiguration config, Jdbi jdbi) {
        TokenService tokens = TokenService.create(jdbi, config.auth(), UploadServiceApplication.clock());
        String principal = namespace.getString("principal");
        int revoked = principal != null ? tokens.revokePrincipal(principal) : tokens.revoke(namespace.getString("id"));
        return List.of("Revoked " + revoked + " token(s)");
    }
}

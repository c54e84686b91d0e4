package io.uploads.auth;

import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthFilter;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.JSONUnauthorizedHandler;
import io.dropwizard.auth.basic.BasicCredentialAuthFilter;
import io.dropwizard.auth.chained.ChainedAuthFilter;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.uploads.core.Caller;
import java.util.List;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;

/**
 * {@code Authorization: Bearer <token>}, or Basic with the token as password for clients that
 * only do Basic. Missing or invalid credentials answer 401 as JSON; a missing role, 403.
 */
public final class Authentication {

    private static final String REALM = "upload-service";

    private Authentication() {}

    public static void register(JerseyEnvironment jersey, TokenService tokens) {
        AuthFilter<String, Caller> bearer = new OAuthCredentialAuthFilter.Builder<Caller>()
                .setAuthenticator(tokens::authenticate)
                .setAuthorizer((caller, role, request) -> caller.roles().contains(role))
                .setPrefix("Bearer")
                .setRealm(REALM)
                .setUnauthorizedHandler(new JSONUnauthorizedHandler())
                .buildAuthFilter();
        AuthFilter<?, Caller> basic = new BasicCredentialAuthFilter.Builder<Caller>()
                .setAuthenticator(credentials -> tokens.authenticate(credentials.getPassword()))
                .setAuthorizer((caller, role, request) -> caller.roles().contains(role))
                .setRealm(REALM)
                .setUnauthorizedHandler(new JSONUnauthorizedHandler())
                .buildAuthFilter();
        @SuppressWarnings({"rawtypes", "unchecked"})
        ChainedAuthFilter<?, Caller> chained = new ChainedAuthFilter(List.of(bearer, basic));
        jersey.register(new AuthDynamicFeature(chained));
        jersey.register(RolesAllowedDynamicFeature.class);
        jersey.register(new AuthValueFactoryProvider.Binder<>(Caller.class));
    }
}

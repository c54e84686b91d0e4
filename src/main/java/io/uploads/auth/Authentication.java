package io.uploads.auth;

import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.uploads.core.Caller;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jspecify.annotations.Nullable;

/**
 * {@code Authorization: Bearer <token>}, or Basic with the token as password for clients that
 * only do Basic. Missing or invalid credentials answer 401 as JSON, and are audited (through
 * {@link DenialLog}) with the address they came from; a missing role answers 403.
 */
@Priority(Priorities.AUTHENTICATION)
public final class Authentication implements ContainerRequestFilter {

    private static final String REALM = "upload-service";

    private final TokenService tokens;
    private final DenialLog denials;

    /** The request's remote address: the forwarded one when the connector trusts proxy headers. */
    @Context
    private HttpServletRequest servletRequest;

    private Authentication(TokenService tokens, DenialLog denials) {
        this.tokens = tokens;
        this.denials = denials;
    }

    public static void register(JerseyEnvironment jersey, TokenService tokens, DenialLog denials) {
        jersey.register(new AuthDynamicFeature(new Authentication(tokens, denials)));
        jersey.register(RolesAllowedDynamicFeature.class);
        jersey.register(new AuthValueFactoryProvider.Binder<>(Caller.class));
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String address = servletRequest == null ? null : servletRequest.getRemoteAddr();
        String token = token(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            denials.denied(address, "no credentials");
            throw unauthorized();
        }
        TokenService.Verdict verdict = tokens.verify(token);
        if (verdict.caller() == null) {
            denials.denied(address, verdict.denial());
            throw unauthorized();
        }
        Caller c = verdict.caller();
        Caller caller = new Caller(c.name(), c.groups(), c.roles(), c.tokenId(), address);
        boolean secure = request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return caller;
            }

            @Override
            public boolean isUserInRole(String role) {
                return caller.roles().contains(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return SecurityContext.BASIC_AUTH;
            }
        });
    }

    /** The token of a Bearer header, or the password of a Basic one. */
    private static @Nullable String token(@Nullable String header) {
        if (header == null) {
            return null;
        }
        int space = header.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = header.substring(0, space);
        String value = header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return value.isEmpty() ? null : value;
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 || colon == decoded.length() - 1 ? null : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static WebApplicationException unauthorized() {
        return new WebApplicationException(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(401, "Credentials are required to access this resource."))
                .build());
    }
}

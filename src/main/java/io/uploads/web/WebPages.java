package io.uploads.web;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.servlets.assets.AssetServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;

/**
 * The upload page at {@code /} and the dashboard at {@code /admin}, with their scripts, styles and
 * libraries under {@code /assets/}, all out of the jar: a browser needs nothing beyond this origin,
 * and the pages' {@code Content-Security-Policy} forbids it anything else. The pages hold no data and
 * need no token; their scripts send the token the person gives them to the JSON APIs. Exact servlet
 * paths win over Jersey's {@code /*}, so {@code GET /admin} is this page while {@code /admin/...}
 * stays the admin API.
 */
public final class WebPages extends HttpServlet {

    /** Scripts, styles, images and requests from this origin only; no inline script or style. */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** The pages by servlet path: {@code ""} is the root. */
    private final Map<String, byte[]> pages = Map.of("", read("/web/index.html"), "/admin", read("/web/admin.html"));

    private WebPages() {}

    public static void register(Environment env) {
        env.servlets().addFilter("web-headers", new Headers())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "", "/admin", "/assets/*");
        env.servlets().addServlet("web-pages", new WebPages()).addMapping("", "/admin");
        env.servlets().addServlet("web-assets", new AssetServlet("/web/assets", "/assets", null, StandardCharsets.UTF_8))
                .addMapping("/assets/*");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] page = pages.get(request.getServletPath());
        if (page == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType("text/html;charset=utf-8");
        response.setContentLength(page.length);
        response.getOutputStream().write(page);
    }

    private static byte[] read(String resource) {
        try (InputStream in = WebPages.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Headers of every page and asset: the policy, no sniffing, no referrer, revalidated on each use. */
    static final class Headers implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            HttpServletResponse http = (HttpServletResponse) response;
            http.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            http.setHeader("X-Content-Type-Options", "nosniff");
            http.setHeader("Referrer-Policy", "no-referrer");
            // a new release's scripts replace the old at once; unchanged ones cost a 304
            http.setHeader("Cache-Control", "no-cache");
            chain.doFilter(request, response);
        }
    }
}

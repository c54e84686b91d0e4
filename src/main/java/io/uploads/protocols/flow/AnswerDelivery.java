package io.uploads.protocols.flow;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Runs what a flow request left for the moment its answer has left for the client: Jersey holds
 * a short answer in its buffer until the resource method has returned, so this filter, once
 * Jersey is done, flushes the answer to the connection and only then says whether it went out.
 * The request that completes an upload marks the completion answered that way: killed before
 * its answer left, the service still answers the client that asks again.
 */
public final class AnswerDelivery implements Filter {

    private static final String PENDING = AnswerDelivery.class.getName();

    /** {@code delivered} runs with true once the answer to {@code request} was flushed, with false when it could not be. */
    static void afterDelivery(HttpServletRequest request, Consumer<Boolean> delivered) {
        request.setAttribute(PENDING, delivered);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean delivered = false;
        try {
            chain.doFilter(request, response);
            if (request.getAttribute(PENDING) != null) {
                response.flushBuffer();
                delivered = true;
            }
        } finally {
            Object pending = request.getAttribute(PENDING);
            if (pending != null) {
                ((Consumer<Boolean>) pending).accept(delivered);
            }
        }
    }
}

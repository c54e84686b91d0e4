package io.uploads.metrics;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Counts the application's 4xx and 5xx answers by status: what its exception mappers, the
 * authentication filter and Jersey itself (unknown path, wrong method) answered. Requests Jetty
 * refuses before Jersey sees them (a malformed URI or header) are not counted here.
 */
@Provider
final class RefusalCounter implements ContainerResponseFilter {

    private final UploadMetrics metrics;

    RefusalCounter(UploadMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() >= 400) {
            metrics.refused(response.getStatus());
        }
    }
}

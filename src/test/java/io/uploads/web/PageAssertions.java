package io.uploads.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.Browser;
import java.util.List;

/** What every page must keep to, checked on what the browser really sent. */
final class PageAssertions {

    private PageAssertions() {}

    /**
     * Every request the service's pages made, and every resource they saw, went to the service's
     * origin, no URL carried the token, the browser is still on the service's pages, and the content
     * security policy refused nothing (no inline script or style slipped in). (Requests of
     * other documents are the browser's own start page, loaded before the test's first navigation.)
     */
    static void stayedAtOrigin(Browser browser, List<Browser.Request> sent, String origin, String token) {
        assertThat(browser.driver().getCurrentUrl()).startsWith(origin + "/");
        List<Browser.Request> requests = sent.stream().filter(r -> r.documentUrl().startsWith(origin + "/")).toList();
        assertThat(requests).isNotEmpty();
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.url()).startsWith(origin + "/");
            assertThat(r.url()).doesNotContain(token);
        });
        assertThat(browser.resourceUrls()).allSatisfy(url -> assertThat(url).startsWith(origin + "/"));
        assertThat(browser.consoleMessages()).noneMatch(m -> m.contains("Content Security Policy"));
    }
}

package io.uploads.protocols.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a flow request left for its answer's delivery runs after the answer was flushed, and only then. */
class AnswerDeliveryTest {

    private final List<String> happened = new ArrayList<>();
    private final Map<String, Object> attributes = new HashMap<>();
    private final HttpServletRequest request = fake(HttpServletRequest.class, (method, args) -> switch (method) {
        case "setAttribute" -> attributes.put((String) args[0], args[1]);
        case "getAttribute" -> attributes.get((String) args[0]);
        default -> null;
    });

    @Test
    void runsWithTrueOnceTheAnswerWasFlushed() throws Exception {
        new AnswerDelivery().doFilter(request, response(false), leaving());

        assertThat(happened).containsExactly("answer written", "flushed", "delivered: true");
    }

    @Test
    void runsWithFalseWhenTheAnswerCouldNotBeFlushed() {
        assertThatThrownBy(() -> new AnswerDelivery().doFilter(request, response(true), leaving()))
                .isInstanceOf(IOException.class);

        assertThat(happened).containsExactly("answer written", "delivered: false");
    }

    @Test
    void runsWithFalseWhenTheRequestFailedAfterLeavingIt() {
        FilterChain failing = (req, res) -> {
            AnswerDelivery.afterDelivery(request, delivered -> happened.add("delivered: " + delivered));
            throw new IllegalStateException("failed after the chunk was recorded");
        };

        assertThatThrownBy(() -> new AnswerDelivery().doFilter(request, response(false), failing))
                .isInstanceOf(IllegalStateException.class);

        assertThat(happened).containsExactly("delivered: false");
    }

    @Test
    void aRequestThatLeftNothingIsNotFlushedByIt() throws Exception {
        new AnswerDelivery().doFilter(request, response(false), (req, res) -> happened.add("answer written"));

        assertThat(happened).containsExactly("answer written");
    }

    private FilterChain leaving() {
        return (req, res) -> {
            AnswerDelivery.afterDelivery(request, delivered -> happened.add("delivered: " + delivered));
            happened.add("answer written");
        };
    }

    private ServletResponse response(boolean flushFails) {
        return fake(ServletResponse.class, (method, args) -> {
            if (method.equals("flushBuffer")) {
                if (flushFails) {
                    throw new IOException("connection reset by peer");
                }
                happened.add("flushed");
            }
            return null;
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args) throws Exception;
    }

    private static <T> T fake(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> answer.answer(method.getName(), args)));
    }
}

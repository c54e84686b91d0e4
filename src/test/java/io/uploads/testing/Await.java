package io.uploads.testing;

import static org.assertj.core.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/** Waiting, for effects the server produces on its own time; never a timing assertion. */
public final class Await {

    private Await() {}

    /** Polls until {@code condition} holds; fails after 30 seconds. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("gave up waiting for " + what);
    }
}

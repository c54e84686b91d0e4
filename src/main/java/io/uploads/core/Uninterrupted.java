package io.uploads.core;

import java.util.concurrent.ExecutionException;

/**
 * Waits that an interrupt must not cut short (it is re-asserted afterwards): a request thread
 * must not leave while a helper thread still uses its buffers, its file or the session's running
 * SHA-256.
 */
final class Uninterrupted {

    interface Blocking<T> {
        T call() throws InterruptedException, ExecutionException;
    }

    private Uninterrupted() {}

    static <T> T call(Blocking<T> wait) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return wait.call();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

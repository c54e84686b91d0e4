package io.uploads.ledger;

/**
 * A new session lost the race for its client key (flow.js / resumable.js identifier): another
 * request opened the active session under that key first. Nothing was written.
 */
public final class DuplicateKey extends RuntimeException {

    DuplicateKey(Throwable cause) {
        super("another session is active under the same client key", cause);
    }
}

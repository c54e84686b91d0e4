package io.uploads.core;

import java.util.Locale;

/** The wire protocol that started a session; all share this one core. */
public enum Protocol {
    RESUMABLES(true),
    FLOW(false),
    RESUMABLE_JS(false),
    TUS(true);

    private final boolean sequential;

    Protocol(boolean sequential) {
        this.sequential = sequential;
    }

    /** Sequential protocols only ever hold chunks 1..n without gaps; recovery keeps that true. */
    public boolean isSequential() {
        return sequential;
    }

    /** The name used in APIs: {@code resumables}, {@code flow}, {@code resumable-js}, {@code tus}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

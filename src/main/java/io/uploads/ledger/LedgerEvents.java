package io.uploads.ledger;

/**
 * Told what each {@link Ledger} transaction changed, once it has committed: a rolled-back change is
 * never reported, and a reported one is in the database. Called on the request's thread right
 * after the commit, so it must be quick and must not throw (the ledger logs and swallows it if it
 * does: the change stands).
 */
@FunctionalInterface
public interface LedgerEvents {

    /** Nobody listening: what commands and tests that build a ledger of their own get. */
    LedgerEvents NONE = committed -> {};

    void committed(Committed committed);
}

package io.uploads.testing;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.transaction.DelegatingTransactionHandler;
import org.jdbi.v3.core.transaction.LocalTransactionHandler;

/** Every transaction fails once its work is done, after it wrote and before the commit. */
public final class CommitFails extends DelegatingTransactionHandler {

    public CommitFails() {
        super(new LocalTransactionHandler());
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, HandleCallback<R, X> callback) throws X {
        return super.inTransaction(handle, h -> {
            callback.withHandle(h);
            throw new IllegalStateException("the commit failed");
        });
    }
}

package io.uploads.testing;

import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.transaction.DelegatingTransactionHandler;
import org.jdbi.v3.core.transaction.LocalTransactionHandler;

/** Every transaction fails once its work is done, after it wrote and before the commit. */
public final class CommitFails extends DelegatingTransactionHandler {

    private final BooleanSupplier thisOne;

    public CommitFails() {
        this(() -> true);
    }

    /** Only the transactions for which {@code thisOne}, asked when their work is done, says so. */
    public CommitFails(BooleanSupplier thisOne) {
        super(new LocalTransactionHandler());
        this.thisOne = thisOne;
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, HandleCallback<R, X> callback) throws X {
        return super.inTransaction(handle, h -> {
            R result = callback.withHandle(h);
            if (thisOne.getAsBoolean()) {
                throw new IllegalStateException("the commit failed");
            }
            return result;
        });
    }
}

package io.uploads.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer's part of a transaction, which on H2 it may share with other writers
 * ({@link SerialWrites}): its statements go through {@link #handle()}, and what must follow its
 * commit or its rollback is registered here, not on the handle, so that it runs for this writer's
 * outcome alone.
 *
 * <p>DAOs come from {@link #attach}, once per transaction: JDBI prepares every method of an
 * interface each time it attaches it (an invoker, a copy of the configuration, the row mapper
 * looked up), which took 14% of a small upload's CPU while each transaction attached the same DAOs
 * two or three times, and still 10% with one attachment per DAO per write.
 */
public final class Write {

    private static final Logger LOG = LoggerFactory.getLogger(Write.class);

    private final Handle handle;
    private final Map<Class<?>, Object> attached;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> afterRollback = new ArrayList<>();
    private boolean ended;

    /** @param attached the DAOs attached to {@code handle} so far, shared by the writes of its transaction */
    Write(Handle handle, Map<Class<?>, Object> attached) {
        this.handle = handle;
        this.attached = attached;
    }

    public Handle handle() {
        return handle;
    }

    /** The transaction's DAO of this type. */
    public <T> T attach(Class<T> type) {
        return type.cast(attached.computeIfAbsent(type, handle::attach));
    }

    /** Runs once this write has committed and is visible to other connections. */
    public void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    /** Runs if this write is rolled back, alone or with the transaction it was part of. */
    public void afterRollback(Runnable action) {
        afterRollback.add(action);
    }

    void committed() {
        end(afterCommit);
    }

    void rolledBack() {
        end(afterRollback);
    }

    /** Runs one of the lists, once: a part rolled back alone may be rolled back again with its transaction. */
    private void end(List<Runnable> actions) {
        if (ended) {
            return;
        }
        ended = true;
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // the outcome stands either way: a failed clean-up or listener must neither turn it into an
                // error nor keep the others from running; what it leaves on disk is recovery's to remove
                LOG.warn("An action after a transaction ended failed: {}", e.toString());
            }
        }
    }
}

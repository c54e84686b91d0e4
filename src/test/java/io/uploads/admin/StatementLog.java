package io.uploads.admin;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.h2.api.DatabaseEventListener;
import org.jdbi.v3.core.Jdbi;

/**
 * Every SQL statement an embedded H2 database runs, with the thread that ran it: H2 tells its
 * event listener when each statement starts. Installed at run time on the open database
 * ({@code SET DATABASE_EVENT_LISTENER}, not persistent), so the service's own connections are
 * counted without any hook in its code. The service's request threads are named after the request
 * while it runs (Dropwizard's thread-name filter), which tells one request's statements from the
 * background's.
 */
public final class StatementLog implements DatabaseEventListener {

    /** One statement as it started. */
    public record Statement(String thread, String sql) {}

    private static final Queue<Statement> STATEMENTS = new ConcurrentLinkedQueue<>();

    /** H2 makes the instance itself, by class name. */
    public StatementLog() {}

    @Override
    public void setProgress(int state, String name, long x, long max) {
        if (state == STATE_STATEMENT_START) {
            STATEMENTS.add(new Statement(Thread.currentThread().getName(), name));
        }
    }

    /** Starts logging the statements of the H2 database {@code jdbi} reaches (in this JVM). */
    static void install(Jdbi jdbi) {
        jdbi.useHandle(h -> h.execute("SET DATABASE_EVENT_LISTENER '" + StatementLog.class.getName() + "'"));
    }

    static void uninstall(Jdbi jdbi) {
        jdbi.useHandle(h -> h.execute("SET DATABASE_EVENT_LISTENER ''"));
    }

    static void clear() {
        STATEMENTS.clear();
    }

    /** The statements run so far on threads whose name contains {@code threadNamePart}. */
    static List<Statement> runBy(String threadNamePart) {
        return STATEMENTS.stream().filter(s -> s.thread().contains(threadNamePart)).toList();
    }
}

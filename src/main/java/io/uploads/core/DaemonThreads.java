package io.uploads.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Helper threads of request threads: named for thread dumps, and never keeping the JVM alive. */
final class DaemonThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    private DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    /** A pool that grows with the requests needing it and lets idle threads go. */
    static ExecutorService pool(String prefix) {
        return Executors.newCachedThreadPool(new DaemonThreads(prefix));
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread thread = new Thread(r, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}

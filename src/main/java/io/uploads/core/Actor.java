package io.uploads.core;

import org.jspecify.annotations.Nullable;

/**
 * Who caused a change, as the audit trail records it: a principal with the address its request
 * came from, or the service itself (expiry, recovery, the sweep) or an operator's command.
 */
public record Actor(String name, @Nullable String remoteAddress) {

    /** The service acting on its own: the expiry sweep, completion of due sessions, recovery. */
    public static final Actor SYSTEM = new Actor("system", null);

    /** An operator calling a task on the admin port. */
    public static Actor task(String task) {
        return new Actor("task:" + task, null);
    }

    /** An operator at the command line of the server's host. */
    public static Actor cli(String command) {
        return new Actor("cli:" + command, null);
    }
}

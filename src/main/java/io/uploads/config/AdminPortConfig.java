package io.uploads.config;

/**
 * What the Dropwizard admin port serves beyond health checks, metrics, thread dumps and tasks.
 * Where it listens is {@code server.adminConnectors[].bindHost} (127.0.0.1 in {@code config.yml}).
 *
 * @param profiler serve the CPU profiler at {@code /pprof}; each GET there samples every thread
 *        for 10 seconds by default, so it stays off (404) unless an operator turns it on
 */
public record AdminPortConfig(boolean profiler) {}

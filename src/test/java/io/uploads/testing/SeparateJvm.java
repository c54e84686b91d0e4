package io.uploads.testing;

import io.uploads.UploadServiceApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service's main class in a JVM of its own (same java, same classpath), against the
 * repository's top-level {@code config.yml} with environment-variable overrides: CLI commands run
 * to completion with a bounded wait, and a server that is always stopped by {@link Server#close()}.
 * Output goes to files, so a chatty process can never block on a full pipe.
 */
public final class SeparateJvm {

    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private SeparateJvm() {}

    /** The repository's own {@code config.yml}; surefire runs tests in the project directory. */
    public static Path configYml() {
        Path config = Path.of("config.yml").toAbsolutePath();
        if (!Files.isRegularFile(config)) {
            throw new IllegalStateException("no config.yml in " + config.getParent());
        }
        return config;
    }

    /** The environment that points a separate JVM at a {@link TestApp}'s database and storage. */
    public static Map<String, String> envOf(TestApp app) {
        return Map.of(
                "DATABASE_URL", app.database().url(),
                "DATABASE_USER", app.database().user(),
                "STORAGE_DIR", app.storage().toString());
    }

    /** What a finished command printed. */
    public record Result(int exitCode, List<String> stdout, String stderr) {

        /** The last non-blank line of stdout: a command's own answer. */
        public String lastLine() {
            for (int i = stdout.size() - 1; i >= 0; i--) {
                if (!stdout.get(i).isBlank()) {
                    return stdout.get(i).trim();
                }
            }
            throw new AssertionError("the command printed nothing; stderr:\n" + stderr);
        }

        public String describe() {
            return "exit " + exitCode + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + stderr;
        }
    }

    /**
     * Runs {@code <command> <options...> config.yml} to completion and requires exit code 0. A
     * command still running after {@link #COMMAND_TIMEOUT} is killed and fails the test.
     */
    public static Result command(Map<String, String> env, String command, String... options) {
        Result result = commandAnyExit(env, command, options);
        if (result.exitCode() != 0) {
            throw new AssertionError(command + " failed: " + result.describe());
        }
        return result;
    }

    /**
     * Runs {@code <command> <options...> config.yml} to completion and returns what it printed,
     * whatever its exit code: for commands whose refusal is the point of the test. A command still
     * running after {@link #COMMAND_TIMEOUT} is killed and fails the test.
     */
    public static Result commandAnyExit(Map<String, String> env, String command, String... options) {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.addAll(List.of(options));
        args.add(configYml().toString());
        Path out = tempFile("cli-out-");
        Path err = tempFile("cli-err-");
        try {
            Process process = builder(List.of("-XX:TieredStopAtLevel=1"), env, args)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError(command + " did not finish within " + COMMAND_TIMEOUT
                            + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
                }
            } finally {
                stop(process);
            }
            return new Result(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                    Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** A server started with {@code server config.yml}; {@link #close()} stops it, whatever happened. */
    public static final class Server implements AutoCloseable {

        private final Process process;
        private final Path log;
        private final int port;
        private final int adminPort;

        private Server(Process process, Path log, int port, int adminPort) {
            this.process = process;
            this.log = log;
            this.port = port;
            this.adminPort = adminPort;
        }

        /**
         * Starts the server on free ports with the given JVM options and environment (ports are
         * added) and waits until its application port answers HTTP. A port found free can be
         * taken before the server binds it (by the embedded database's own TCP server, say); the
         * server then fails to start, and is started again on other ports.
         */
        public static Server start(List<String> jvmOptions, Map<String, String> env, Path log) {
            for (int attempt = 1; ; attempt++) {
                Server server = launch(jvmOptions, env, log);
                try {
                    server.awaitHttp();
                    return server;
                } catch (PortTaken e) {
                    server.close();
                    if (attempt == START_ATTEMPTS) {
                        throw new AssertionError("no free ports in " + START_ATTEMPTS + " attempts:\n" + server.log());
                    }
                } catch (RuntimeException | Error e) {
                    server.close();
                    throw e;
                }
            }
        }

        private static Server launch(List<String> jvmOptions, Map<String, String> env, Path log) {
            int port = freePort();
            int adminPort = freePort();
            Map<String, String> withPorts = new HashMap<>(env);
            withPorts.put("HTTP_PORT", Integer.toString(port));
            withPorts.put("ADMIN_PORT", Integer.toString(adminPort));
            Process process;
            try {
                process = builder(jvmOptions, withPorts, List.of("server", configYml().toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Server(process, log, port, adminPort);
        }

        public String baseUrl() {
            return "http://localhost:" + port;
        }

        public Http http() {
            return new Http(baseUrl());
        }

        /** Dropwizard's admin port: metrics, health checks. */
        public Http admin() {
            return new Http("http://localhost:" + adminPort);
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(log unreadable: " + e + ")";
            }
        }

        private void awaitHttp() {
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    if (log().contains("Address already in use")) {
                        throw new PortTaken();
                    }
                    throw new AssertionError("the server exited with " + process.exitValue() + " before opening its port:\n"
                            + log());
                }
                try {
                    http().get("/files/resumables", null);    // any HTTP answer: it is our server
                    return;
                } catch (UncheckedIOException notYet) {
                    pause();
                }
            }
            throw new AssertionError("the server did not open port " + port + " within " + STARTUP_TIMEOUT + ":\n" + log());
        }

        /** The server could not bind a port that was free when it was chosen. */
        private static final class PortTaken extends RuntimeException {}

        /** SIGKILL, as a crash would: no shutdown hook, no flush, no clean-up. */
        public void kill() {
            process.destroyForcibly();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the server did not die within 30 s of SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            stop(process);
        }
    }

    private static ProcessBuilder builder(List<String> jvmOptions, Map<String, String> env, List<String> args) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the JVM's own warnings (a class archive it cannot use, say) must not land in a command's stdout
        commandLine.add("-Xlog:disable");
        commandLine.add("-Xlog:all=warning:stderr");
        commandLine.addAll(SharedClasses.options());
        commandLine.addAll(jvmOptions);
        commandLine.add(UploadServiceApplication.class.getName());
        commandLine.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(commandLine).directory(Path.of("").toAbsolutePath().toFile());
        builder.environment().putAll(env);
        return builder;
    }

    /** Asks politely, then insists; returns only once the process is gone. */
    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The classpath of every separate JVM, with a class-data archive (the JDK's dynamic CDS) of a
     * server's start, made once per test JVM by starting and stopping one server over a scratch
     * database: the suite starts a hundred JVMs or so, and each then maps its classes from the
     * archive instead of parsing them from jars, in about half the time. The JDK archives classes
     * from jars only, so the class directories are put in a jar first. Without an archive (it
     * could not be made), JVMs start on the test's own classpath, as they would anyway.
     */
    private static final class SharedClasses {

        private static List<String> options;

        static synchronized List<String> options() {
            if (options == null) {
                List<String> plain = List.of("-cp", System.getProperty("java.class.path"));
                options = plain;    // the JVM that makes the archive starts without one
                options = make(plain);
            }
            return options;
        }

        private static List<String> make(List<String> plain) {
            try {
                Path dir = Files.createTempDirectory("separate-jvm-classes-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                List<String> classpath = new ArrayList<>();
                int jars = 0;
                for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                    Path path = Path.of(entry);
                    if (Files.isDirectory(path)) {
                        Path jar = dir.resolve("classes-" + (++jars) + ".jar");
                        jarOf(path, jar);
                        classpath.add(jar.toString());
                    } else {
                        classpath.add(entry);
                    }
                }
                options = List.of("-cp", String.join(java.io.File.pathSeparator, classpath));
                Path archive = dir.resolve("server.jsa");
                Map<String, String> env = Map.of(
                        "DATABASE_URL", "jdbc:h2:" + dir.resolve("db"),
                        "STORAGE_DIR", dir.resolve("storage").toString());
                // stopped with SIGTERM, the JVM writes the archive of every class it loaded as it exits
                Server.start(List.of("-XX:TieredStopAtLevel=1", "-XX:ArchiveClassesAtExit=" + archive), env,
                        dir.resolve("server.log")).close();
                if (Files.size(archive) > 0) {
                    List<String> withArchive = new ArrayList<>(options);
                    withArchive.add("-XX:SharedArchiveFile=" + archive);
                    return List.copyOf(withArchive);
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                System.err.println("SeparateJvm: no shared class archive, JVMs start without one: " + e);
            }
            return plain;
        }

        private static void jarOf(Path classes, Path jar) throws IOException {
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                 var paths = Files.walk(classes)) {
                // with directory entries too: resources are found by directory (Flyway's migrations, the web assets)
                for (Path p : (Iterable<Path>) paths.filter(p -> !p.equals(classes))::iterator) {
                    String name = classes.relativize(p).toString().replace('\\', '/');
                    boolean directory = Files.isDirectory(p);
                    out.putNextEntry(new java.util.jar.JarEntry(directory ? name + "/" : name));
                    if (!directory) {
                        Files.copy(p, out);
                    }
                    out.closeEntry();
                }
            }
        }

        private static void deleteTree(Path dir) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(SeparateJvm::deleteQuietly);
            } catch (IOException e) {
                // a temp dir left behind
            }
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempFile(String prefix) {
        try {
            return Files.createTempFile(prefix, ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.uploads.testing;

import io.uploads.testing.Http.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Sends chunks to {@code /flow} the way flow.js (and resumable.js) do in a browser.
 *
 * <p>Every chunk is first asked for with a test {@code GET /flow?<params>}: 200 means the server
 * has it and it is skipped, anything else means it is sent with {@code POST /flow}. The parameters
 * are the library's own query options (here {@code group}) followed by the chunk's parameters in
 * the library's order; with the default method they are {@code multipart/form-data} fields followed
 * by the {@code file} part (filename = the file's name, {@code Content-Type: application/octet-stream}),
 * as the browser's {@code FormData} encodes them; with {@code method: 'octet'} they go in the query
 * and the chunk is the raw body.
 *
 * <p>Instances are immutable and safe to share between threads; {@code with...} returns a copy.
 */
public final class FlowStyleClient {

    /** flow.js's default {@code simultaneousUploads}. */
    public static final int SIMULTANEOUS_UPLOADS = 3;
    public static final String FILE_TYPE = "application/octet-stream";
    private static final String CRLF = "\r\n";

    /** Which library's parameter names the client sends. */
    public enum Library {
        FLOW("flow"),
        RESUMABLE_JS("resumable");

        private final String prefix;

        Library(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    /** How a chunk travels: the libraries' default {@code FormData}, or {@code method: 'octet'}. */
    public enum Method { MULTIPART, OCTET }

    /**
     * A file as the libraries cut it: {@code max(floor(size / chunkSize), 1)} chunks, each
     * {@code chunkSize} bytes but the last, which takes the rest (with {@code forceChunkSize}:
     * {@code ceil}, and no chunk is larger than {@code chunkSize}).
     *
     * @param identifier flow.js's {@code uniqueIdentifier}
     */
    public record FlowFile(String filename, String identifier, byte[] bytes, int chunkSize, boolean forceChunkSize) {

        /** A file named and identified as flow.js does: {@code <size>-<name without punctuation>}. */
        public static FlowFile of(String filename, byte[] bytes, int chunkSize) {
            String identifier = bytes.length + "-" + filename.replaceAll("[^0-9a-zA-Z_-]", "");
            return new FlowFile(filename, identifier, bytes, chunkSize, false);
        }

        public FlowFile withIdentifier(String identifier) {
            return new FlowFile(filename, identifier, bytes, chunkSize, forceChunkSize);
        }

        public FlowFile withForceChunkSize() {
            return new FlowFile(filename, identifier, bytes, chunkSize, true);
        }

        public long size() {
            return bytes.length;
        }

        public int totalChunks() {
            int chunks = forceChunkSize ? (bytes.length + chunkSize - 1) / chunkSize : bytes.length / chunkSize;
            return Math.max(chunks, 1);
        }

        /** Where chunk {@code n} (1-based) starts in the file. */
        public int startByte(int n) {
            return (n - 1) * chunkSize;
        }

        public int endByte(int n) {
            return n == totalChunks() ? bytes.length : Math.min(n * chunkSize, bytes.length);
        }

        public byte[] chunk(int n) {
            return Arrays.copyOfRange(bytes, startByte(n), endByte(n));
        }

        public List<Integer> chunkNumbers() {
            return IntStream.rangeClosed(1, totalChunks()).boxed().toList();
        }
    }

    /**
     * What one run of {@link #upload} did.
     *
     * @param posted the chunks the test GET answered "send it" for, in the order they were sent
     * @param answers every answer by chunk number: the POST's, or the test GET's when skipped
     */
    public record Run(List<Integer> posted, SortedMap<Integer, Reply> answers) {

        /** The answers that say the file is complete (they carry {@code path} and {@code sha256}). */
        public List<Reply> completions() {
            return answers.values().stream().filter(r -> "COMPLETED".equals(r.text("state"))).toList();
        }
    }

    private final String baseUrl;
    private final Http http;
    private final @Nullable String token;
    private final Library library;
    private final Method method;
    private final Map<String, String> query;
    private final Map<String, String> headers;
    /** Bytes per second each request body is sent at; 0 is as fast as the connection goes. */
    private final long pace;

    /** A client of the service at {@code baseUrl} sending {@code token} as Bearer (none when null). */
    public FlowStyleClient(String baseUrl, @Nullable String token) {
        this(baseUrl, new Http(baseUrl), token, Library.FLOW, Method.MULTIPART, Map.of(), Map.of(), 0);
    }

    private FlowStyleClient(String baseUrl, Http http, @Nullable String token, Library library, Method method,
                            Map<String, String> query, Map<String, String> headers, long pace) {
        this.baseUrl = baseUrl;
        this.http = http;
        this.token = token;
        this.library = library;
        this.method = method;
        this.query = query;
        this.headers = headers;
        this.pace = pace;
    }

    public FlowStyleClient with(Library library) {
        return new FlowStyleClient(baseUrl, http, token, library, method, query, headers, pace);
    }

    public FlowStyleClient with(Method method) {
        return new FlowStyleClient(baseUrl, http, token, library, method, query, headers, pace);
    }

    /** The library's {@code query} option: extra parameters sent before the chunk's own. */
    public FlowStyleClient withQuery(String name, String value) {
        return new FlowStyleClient(baseUrl, http, token, library, method, plus(query, name, value), headers, pace);
    }

    /** The library's {@code headers} option (or what the browser adds, such as {@code Origin}). */
    public FlowStyleClient withHeader(String name, String value) {
        return new FlowStyleClient(baseUrl, http, token, library, method, query, plus(headers, name, value), pace);
    }

    /**
     * Request bodies stream at {@code bytesPerSecond}, as over a slow link (their length is
     * declared as always), so that a chunk takes long enough to be interrupted in the middle.
     */
    public FlowStyleClient withPace(long bytesPerSecond) {
        return new FlowStyleClient(baseUrl, http, token, library, method, query, headers, bytesPerSecond);
    }

    public Library library() {
        return library;
    }

    /** Every parameter of chunk {@code n}, in the order the library sends them. */
    public Map<String, String> params(FlowFile file, int n) {
        Map<String, String> params = new LinkedHashMap<>(query);
        String p = library.prefix();
        params.put(p + "ChunkNumber", String.valueOf(n));
        params.put(p + "ChunkSize", String.valueOf(file.chunkSize()));
        params.put(p + "CurrentChunkSize", String.valueOf(file.endByte(n) - file.startByte(n)));
        params.put(p + "TotalSize", String.valueOf(file.size()));
        if (library == Library.RESUMABLE_JS) {
            params.put(p + "Type", FILE_TYPE);
        }
        params.put(p + "Identifier", file.identifier());
        params.put(p + "Filename", file.filename());
        params.put(p + "RelativePath", file.filename());
        params.put(p + "TotalChunks", String.valueOf(file.totalChunks()));
        return params;
    }

    /** The test GET for chunk {@code n}: 200 the server has it, 204 send it. */
    public Reply test(FlowFile file, int n) {
        return get(params(file, n));
    }

    public Reply get(Map<String, String> params) {
        return http.send("GET", "/flow?" + queryString(params), token, BodyPublishers.noBody(), headers);
    }

    /** POSTs chunk {@code n} of {@code file}, whatever the server already has. */
    public Reply send(FlowFile file, int n) {
        return post(params(file, n), file.chunk(n), file.filename());
    }

    /** POSTs any parameters and body the way this client's method sends a chunk. */
    public Reply post(Map<String, String> params, byte[] body, String filename) {
        if (method == Method.OCTET) {
            return postRaw(params, body, FILE_TYPE);
        }
        // resumable.js repeats every parameter in the query string of its multipart POST
        String target = library == Library.RESUMABLE_JS ? "/flow?" + queryString(params) : "/flow";
        return postForm(target, params, new FilePart(filename, body));
    }

    /** A chunk as {@code method: 'octet'} sends it: parameters in the query, the bytes as the body. */
    public Reply postRaw(Map<String, String> params, byte[] body, @Nullable String contentType) {
        Map<String, String> all = contentType == null ? headers : plus(headers, "Content-Type", contentType);
        return http.send("POST", "/flow?" + queryString(params), token, body(body), all);
    }

    /**
     * Chunk {@code n} as {@code method: 'octet'} sends it, over a connection that breaks after
     * {@code sent} bytes of the body: the whole length is declared, only part of it arrives.
     * Returns once the server has dealt with the broken request (it answered, or closed the
     * connection): a test that looks at the server right after closing could otherwise look
     * before the server even started on the request.
     */
    public void sendCutOff(FlowFile file, int n, int sent) {
        URI base = URI.create(baseUrl);
        StringBuilder head = new StringBuilder("POST /flow?" + queryString(params(file, n)) + " HTTP/1.1" + CRLF)
                .append("Host: ").append(base.getAuthority()).append(CRLF)
                .append("Content-Type: ").append(FILE_TYPE).append(CRLF)
                .append("Content-Length: ").append(file.endByte(n) - file.startByte(n)).append(CRLF);
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append(CRLF);
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append(CRLF));
        try (Socket socket = new Socket(base.getHost(), base.getPort()); OutputStream out = socket.getOutputStream()) {
            out.write(head.append(CRLF).toString().getBytes(StandardCharsets.UTF_8));
            out.write(file.bytes(), file.startByte(n), sent);
            out.flush();
            socket.shutdownOutput();    // the body ends here, early
            socket.setSoTimeout(30_000);
            try {
                socket.getInputStream().read();    // the first byte of its answer
            } catch (IOException answeredWithAReset) {
                // the server gave up on the connection: it has dealt with the request too
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code file} part of a form; null sends a form without one. */
    public record FilePart(String filename, byte[] bytes) {}

    /** A form as the browser's {@code FormData} encodes it: the fields in order, then the file part. */
    public Reply postMultipart(Map<String, String> fields, @Nullable FilePart file) {
        return postForm("/flow", fields, file);
    }

    /** {@link #postMultipart} to {@code target}, which may carry a query string. */
    public Reply postForm(String target, Map<String, String> fields, @Nullable FilePart file) {
        String boundary = "----FlowStyleClientBoundary" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((name, value) -> write(body, "--" + boundary + CRLF
                + "Content-Disposition: form-data; name=\"" + escape(name) + "\"" + CRLF + CRLF + value + CRLF));
        if (file != null) {
            write(body, "--" + boundary + CRLF
                    + "Content-Disposition: form-data; name=\"file\"; filename=\"" + escape(file.filename()) + "\"" + CRLF
                    + "Content-Type: " + FILE_TYPE + CRLF + CRLF);
            body.writeBytes(file.bytes());
            write(body, CRLF);
        }
        write(body, "--" + boundary + "--" + CRLF);
        return http.send("POST", target, token, body(body.toByteArray()),
                plus(headers, "Content-Type", "multipart/form-data; boundary=" + boundary));
    }

    /**
     * Uploads the chunks as flow.js does: {@link #SIMULTANEOUS_UPLOADS} at a time, each taken in
     * {@code order} by the next free slot, tested with a GET and POSTed only when the server
     * answers that it does not have it.
     */
    public Run upload(FlowFile file, List<Integer> order) {
        Queue<Integer> pending = new ConcurrentLinkedQueue<>(order);
        List<Integer> posted = Collections.synchronizedList(new ArrayList<>());
        SortedMap<Integer, Reply> answers = new ConcurrentSkipListMap<>();
        ExecutorService slots = Executors.newFixedThreadPool(SIMULTANEOUS_UPLOADS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < SIMULTANEOUS_UPLOADS; i++) {
                running.add(slots.submit(() -> {
                    for (Integer n; (n = pending.poll()) != null; ) {
                        Reply tested = test(file, n);
                        if (tested.status() == 200) {
                            answers.put(n, tested);
                        } else {
                            posted.add(n);
                            answers.put(n, send(file, n));
                        }
                    }
                }));
            }
            for (Future<?> slot : running) {
                slot.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("upload of " + file.filename() + " failed", e);
        } finally {
            slots.shutdownNow();
        }
        return new Run(List.copyOf(posted), answers);
    }

    /**
     * How often {@link #uploadUntilFailure} sends a chunk refused with 423 (another writer holds
     * its range) or 409 again. flow.js sends a chunk again, up to its {@code maxChunkRetries}, after
     * any status not in its {@code permanentErrors} (404, 413, 415, 500, 501); resumable.js does so
     * for a 423 too, but lists 409 among its permanent errors and would fail the file instead.
     */
    public static final int CONFLICT_RETRIES = 5;
    public static final Duration CONFLICT_PAUSE = Duration.ofMillis(200);

    /**
     * What one pass of {@link #uploadUntilFailure} did, by chunk number.
     *
     * @param tested the status of each chunk's test GET: 200 the server has it, 204 send it
     * @param posted the chunks POSTed, in the order they were sent
     * @param stored the chunks whose POST was answered 200, with that answer
     * @param refused the chunks whose POST was answered with anything else, with that answer
     * @param failed the chunks whose test or POST got no answer at all (the server went away), with
     *               the failure
     * @param conflicts how many times a POST was answered 409 and sent again
     */
    public record Pass(SortedMap<Integer, Integer> tested, List<Integer> posted, SortedMap<Integer, Reply> stored,
                       SortedMap<Integer, Reply> refused, SortedMap<Integer, String> failed, int conflicts) {

        /** The chunks the server said it holds: by a 200 to the test GET, or to the POST. */
        public SortedSet<Integer> acknowledged() {
            SortedSet<Integer> held = new TreeSet<>(stored.keySet());
            tested.forEach((n, status) -> {
                if (status == 200) {
                    held.add(n);
                }
            });
            return held;
        }

        /** The answers that say the file is complete (they carry {@code path} and {@code sha256}). */
        public List<Reply> completions() {
            return stored.values().stream().filter(r -> "COMPLETED".equals(r.text("state"))).toList();
        }
    }

    /**
     * One pass over the chunks as flow.js makes it when a file is started or retried: {@link
     * #SIMULTANEOUS_UPLOADS} at a time, each tested with a GET and POSTed unless the server answers
     * 200. A POST answered 423 or 409 is sent again after {@link #CONFLICT_PAUSE}, up to {@link
     * #CONFLICT_RETRIES} times, as flow.js does with {@code maxChunkRetries} (a server still holding
     * a killed process's claim on the upload answers 423 for a while). A request that gets
     * no answer ends the pass, as flow.js stops a file whose chunk failed; the pass never throws,
     * it reports.
     */
    public Pass uploadUntilFailure(FlowFile file, List<Integer> order) {
        Queue<Integer> pending = new ConcurrentLinkedQueue<>(order);
        SortedMap<Integer, Integer> tested = new ConcurrentSkipListMap<>();
        List<Integer> posted = Collections.synchronizedList(new ArrayList<>());
        SortedMap<Integer, Reply> stored = new ConcurrentSkipListMap<>();
        SortedMap<Integer, Reply> refused = new ConcurrentSkipListMap<>();
        SortedMap<Integer, String> failed = new ConcurrentSkipListMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService slots = Executors.newFixedThreadPool(SIMULTANEOUS_UPLOADS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < SIMULTANEOUS_UPLOADS; i++) {
                running.add(slots.submit(() -> {
                    for (Integer n; failed.isEmpty() && (n = pending.poll()) != null; ) {
                        try {
                            Reply test = test(file, n);
                            tested.put(n, test.status());
                            if (test.status() == 200) {
                                continue;
                            }
                            posted.add(n);
                            Reply answer = send(file, n);
                            for (int retry = 1; (answer.status() == 423 || answer.status() == 409) && retry <= CONFLICT_RETRIES; retry++) {
                                conflicts.incrementAndGet();
                                Thread.sleep(CONFLICT_PAUSE.toMillis());
                                answer = send(file, n);
                            }
                            (answer.status() == 200 ? stored : refused).put(n, answer);
                        } catch (UncheckedIOException e) {
                            failed.put(n, String.valueOf(e.getCause()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            failed.put(n, e.toString());
                        }
                    }
                }));
            }
            for (Future<?> slot : running) {
                slot.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("a pass over " + file.filename() + " broke", e);
        } finally {
            slots.shutdownNow();
        }
        return new Pass(tested, List.copyOf(posted), stored, refused, failed, conflicts.get());
    }

    /**
     * The chunks of {@code file} in the order flow.js sends them with {@code prioritizeFirstAndLastChunk}:
     * the first, the last, then the others in order.
     */
    public static List<Integer> firstAndLastFirst(FlowFile file) {
        List<Integer> order = new ArrayList<>(file.chunkNumbers());
        if (order.size() > 2) {
            order.add(1, order.remove(order.size() - 1));
        }
        return order;
    }

    /** The chunks of {@code file}, the last one first and the others in order (out of order). */
    public static List<Integer> lastChunkFirst(FlowFile file) {
        List<Integer> order = new ArrayList<>();
        order.add(file.totalChunks());
        order.addAll(file.chunkNumbers().subList(0, file.totalChunks() - 1));
        return order;
    }

    /** A request body of {@code bytes}, at this client's pace; its length is declared either way. */
    private HttpRequest.BodyPublisher body(byte[] bytes) {
        if (pace == 0) {
            return BodyPublishers.ofByteArray(bytes);
        }
        return BodyPublishers.fromPublisher(
                BodyPublishers.ofInputStream(() -> new PacedInputStream(new ByteArrayInputStream(bytes), pace)),
                bytes.length);
    }

    private static Map<String, String> plus(Map<String, String> map, String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(map);
        more.put(name, value);
        return Collections.unmodifiableMap(more);
    }

    /** Parameters as a URL query string, encoded as the libraries encode them. */
    public static String queryString(Map<String, String> params) {
        List<String> pairs = new ArrayList<>();
        params.forEach((k, v) -> pairs.add(encode(k) + "=" + encode(v)));
        return String.join("&", pairs);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** As browsers escape names in a form's Content-Disposition. */
    private static String escape(String s) {
        return s.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}

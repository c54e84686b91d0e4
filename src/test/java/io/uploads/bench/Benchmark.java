package io.uploads.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Uploads one large file through each protocol of a running server (native resumables, flow.js,
 * tus) and prints their throughput beside the two ceilings of this machine: the same chunks sent
 * over HTTP to a sink that discards them, and the same bytes written and fsynced to the server's
 * disk. After each upload the server's record of it must show the file complete, with the file's
 * size and SHA-256, and the file on disk must have that size: a broken upload fails the run rather
 * than print a fast number. Not a test: run it with {@code bench/run.sh}.
 *
 * <p>Arguments: base URL, token, file size in MiB, chunk size in MiB, a scratch directory on the
 * same file system as the server's storage, the server's storage directory.
 */
public final class Benchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** flow.js's default {@code simultaneousUploads}. */
    private static final int FLOW_SIMULTANEOUS_UPLOADS = 3;

    public static void main(String[] args) throws Exception {
        String baseUrl = args[0];
        String token = args[1];
        long size = Long.parseLong(args[2]) << 20;
        long chunk = Long.parseLong(args[3]) << 20;
        Path scratch = Path.of(args[4]);
        Path file = randomFile(scratch.resolve("bench-source.bin"), size);
        Server server = new Server(baseUrl, token, Path.of(args[5]), size, sha256(file));

        double disk = megabytesPerSecond(size, () -> writeAndSync(file, scratch.resolve("bench-disk.bin"), chunk));
        double sink = megabytesPerSecond(size, () -> sendToSink(file, chunk));
        double resumables = server.upload("bench-resumables.bin", name -> uploadResumables(server, name, file, chunk));
        double flow = server.upload("bench-flow.bin", name -> uploadFlow(server, name, file, chunk));
        double tus = server.upload("bench-tus.bin", name -> TusJavaClient.upload(baseUrl, token, file, name, chunk));

        double ceiling = Math.min(disk, sink);
        System.out.printf("%-32s %10s %8s%n", "transfer of " + (size >> 20) + " MiB in " + (chunk >> 20) + " MiB chunks", "MB/s", "ratio");
        System.out.printf("%-32s %10.1f %8s%n", "ceiling: HTTP to a null sink", sink, "");
        System.out.printf("%-32s %10.1f %8s%n", "ceiling: disk write + fsync", disk, "");
        printRow("resumables (chunks + end)", resumables, ceiling);
        printRow("flow.js (octet, 3 at a time)", flow, ceiling);
        printRow("tus (tus-java-client)", tus, ceiling);
        Files.deleteIfExists(file);
        Files.deleteIfExists(scratch.resolve("bench-disk.bin"));
    }

    private static void printRow(String name, double megabytesPerSecond, double ceiling) {
        System.out.printf("%-32s %10.1f %8.2f%n", name, megabytesPerSecond, megabytesPerSecond / ceiling);
    }

    private interface Transfer {
        void run() throws Exception;
    }

    /** One upload of the file under the given filename; answers the id of the session it completed. */
    private interface Upload {
        String run(String filename) throws Exception;
    }

    private static double megabytesPerSecond(long bytes, Transfer transfer) throws Exception {
        long start = System.nanoTime();
        transfer.run();
        return megabytesPerSecond(bytes, start);
    }

    private static double megabytesPerSecond(long bytes, long startNanos) {
        return bytes / 1e6 / ((System.nanoTime() - startNanos) / 1e9);
    }

    /** The server under test, and what every upload to it must end up as. */
    private record Server(String baseUrl, String token, Path storage, long size, String sha256) {

        /** Times the upload, then checks the server's record of it and the file on disk (not timed). */
        double upload(String filename, Upload upload) throws Exception {
            long start = System.nanoTime();
            String id = upload.run(filename);
            double rate = megabytesPerSecond(size, start);
            verify(filename, id);
            return rate;
        }

        private void verify(String filename, String id) throws Exception {
            JsonNode info = JSON.readTree(send(request("/files/resumables/" + filename + "?id=" + id), "GET", null, 0, 0));
            boolean stored = info.path("state").asText().equals("COMPLETED")
                    && info.path("size").asLong() == size
                    && info.path("sha256").asText().equals(sha256)
                    && Files.size(storage.resolve(info.path("path").asText())) == size;
            if (!stored) {
                throw new IllegalStateException(filename + ": expected " + size + " bytes with sha256 " + sha256
                        + ", the server has " + info);
            }
        }

        HttpRequest.Builder request(String pathAndQuery) {
            return HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).header("Authorization", "Bearer " + token);
        }
    }

    private static String uploadResumables(Server server, String filename, Path file, long chunk) throws Exception {
        String id = null;
        long size = Files.size(file);
        int n = 1;
        for (long offset = 0; offset < size; offset += chunk, n++) {
            String query = id == null ? "chunk=1" : "chunk=" + n + "&id=" + id;
            String body = send(server.request("/files/stream/" + filename + "?" + query), "PATCH", file, offset,
                    Math.min(chunk, size - offset));
            id = JSON.readTree(body).get("id").asText();
        }
        send(server.request("/files/stream/" + filename + "?chunk=end&id=" + id), "PATCH", null, 0, 0);
        return id;
    }

    /**
     * flow.js with {@code method: 'octet'}: every chunk a POST of its raw bytes with the parameters in
     * the query, three in flight at a time. As flow.js cuts the file, every chunk is {@code chunk}
     * bytes but the last, which takes the remainder (up to 2 &times; chunk &minus; 1).
     */
    private static String uploadFlow(Server server, String filename, Path file, long chunk) throws Exception {
        long size = Files.size(file);
        int totalChunks = (int) Math.max(size / chunk, 1);
        ExecutorService inFlight = Executors.newFixedThreadPool(FLOW_SIMULTANEOUS_UPLOADS);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int n = 1; n <= totalChunks; n++) {
                long offset = (n - 1) * chunk;
                long length = n == totalChunks ? size - offset : chunk;
                HttpRequest.Builder request = server.request("/flow?" + flowQuery(filename, n, totalChunks, chunk, length, size))
                        .header("Content-Type", "application/octet-stream");
                answers.add(inFlight.submit(() -> send(request, "POST", file, offset, length)));
            }
            String id = null;
            for (Future<String> answer : answers) {
                id = JSON.readTree(answer.get()).get("id").asText();   // all chunks go to one session
            }
            return id;
        } finally {
            inFlight.shutdownNow();
        }
    }

    private static String flowQuery(String filename, int n, int totalChunks, long chunk, long length, long size) {
        String identifier = size + "-" + filename.replaceAll("[^0-9A-Za-z_-]", "");   // as flow.js makes it
        return String.join("&", "flowChunkNumber=" + n, "flowChunkSize=" + chunk, "flowCurrentChunkSize=" + length,
                "flowTotalSize=" + size, "flowIdentifier=" + identifier, "flowFilename=" + filename,
                "flowRelativePath=" + filename, "flowTotalChunks=" + totalChunks);
    }

    private static void sendToSink(Path file, long chunk) throws Exception {
        HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        sink.start();
        try {
            long size = Files.size(file);
            URI uri = URI.create("http://127.0.0.1:" + sink.getAddress().getPort() + "/");
            for (long offset = 0; offset < size; offset += chunk) {
                send(HttpRequest.newBuilder(uri), "POST", file, offset, Math.min(chunk, size - offset));
            }
        } finally {
            sink.stop(0);
        }
    }

    private static void writeAndSync(Path file, Path target, long chunk) throws IOException {
        try (FileChannel in = FileChannel.open(file);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long sinceSync = 0;
            while (in.read(buffer.clear()) > 0) {
                sinceSync += out.write(buffer.flip());
                if (sinceSync >= chunk) {
                    out.force(true);    // the service fsyncs every chunk; so does the ceiling
                    sinceSync = 0;
                }
            }
            out.force(true);
        }
    }

    /** The request with bytes [offset, offset + length) of the file (none without a file) streamed as its body. */
    private static String send(HttpRequest.Builder request, String method, Path file, long offset, long length)
            throws Exception {
        var response = HTTP.send(request.method(method, file == null ? BodyPublishers.noBody()
                : BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> slice(file, offset, length)), length))
                .build(), BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + response.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private static InputStream slice(Path file, long offset, long length) {
        try {
            RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
            raf.seek(offset);
            return new java.io.BufferedInputStream(new InputStream() {
                private long left = length;

                @Override
                public int read() throws IOException {
                    return left-- > 0 ? raf.read() : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = raf.read(b, off, (int) Math.min(len, left));
                    left -= Math.max(n, 0);
                    return n;
                }

                @Override
                public void close() throws IOException {
                    raf.close();
                }
            }, 1 << 20);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Path randomFile(Path path, long size) throws IOException {
        Random random = new Random(1);
        byte[] buffer = new byte[1 << 20];
        try (var out = Files.newOutputStream(path)) {
            for (long left = size; left > 0; left -= buffer.length) {
                random.nextBytes(buffer);
                out.write(buffer, 0, (int) Math.min(buffer.length, left));
            }
        }
        return path;
    }
}

package io.uploads.bench;

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
import java.util.Random;

/**
 * Uploads one large file through the native resumables protocol of a running server and prints
 * its throughput beside the two ceilings of this machine: the same chunks sent over HTTP to a sink
 * that discards them, and the same bytes written and fsynced to the server's disk. Not a test:
 * run it with {@code bench/run.sh}.
 *
 * <p>Arguments: base URL, token, file size in MiB, chunk size in MiB, a scratch directory on the
 * same file system as the server's storage.
 */
public final class Benchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String baseUrl = args[0];
        String token = args[1];
        long size = Long.parseLong(args[2]) << 20;
        long chunk = Long.parseLong(args[3]) << 20;
        Path scratch = Path.of(args[4]);
        Path file = randomFile(scratch.resolve("bench-source.bin"), size);

        double disk = megabytesPerSecond(size, () -> writeAndSync(file, scratch.resolve("bench-disk.bin"), chunk));
        double sink = megabytesPerSecond(size, () -> sendToSink(file, chunk));
        double resumables = megabytesPerSecond(size, () -> uploadResumables(baseUrl, token, file, chunk));

        double ceiling = Math.min(disk, sink);
        System.out.printf("%-32s %10s %8s%n", "transfer of " + (size >> 20) + " MiB in " + (chunk >> 20) + " MiB chunks", "MB/s", "ratio");
        System.out.printf("%-32s %10.1f %8s%n", "ceiling: HTTP to a null sink", sink, "");
        System.out.printf("%-32s %10.1f %8s%n", "ceiling: disk write + fsync", disk, "");
        System.out.printf("%-32s %10.1f %8.2f%n", "resumables (chunks + end)", resumables, resumables / ceiling);
        Files.deleteIfExists(file);
        Files.deleteIfExists(scratch.resolve("bench-disk.bin"));
    }

    private interface Transfer {
        void run() throws Exception;
    }

    private static double megabytesPerSecond(long bytes, Transfer transfer) throws Exception {
        long start = System.nanoTime();
        transfer.run();
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static void uploadResumables(String baseUrl, String token, Path file, long chunk) throws Exception {
        String id = null;
        long size = Files.size(file);
        int n = 1;
        for (long offset = 0; offset < size; offset += chunk, n++) {
            String query = id == null ? "chunk=1" : "chunk=" + n + "&id=" + id;
            String body = send(baseUrl + "/files/stream/bench.bin?" + query, token, file, offset, Math.min(chunk, size - offset));
            id = JSON.readTree(body).get("id").asText();
        }
        send(baseUrl + "/files/stream/bench.bin?chunk=end&id=" + id, token, null, 0, 0);
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
            for (long offset = 0; offset < size; offset += chunk) {
                send("http://127.0.0.1:" + sink.getAddress().getPort() + "/", null, file, offset, Math.min(chunk, size - offset));
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

    /** PATCH (or POST to the sink) of bytes [offset, offset + length) of the file, streamed. */
    private static String send(String url, String token, Path file, long offset, long length) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(token == null ? "POST" : "PATCH", file == null ? BodyPublishers.noBody()
                        : BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> slice(file, offset, length)), length));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        var response = HTTP.send(request.build(), BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
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

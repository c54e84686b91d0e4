import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;

/**
 * A plain HTTP sink for bench/peers/run.sh, the ceilings the servers are compared with. Run it as a single-file
 * program: {@code java Sink.java null <port>} or {@code java Sink.java fsync <port> <directory>}.
 *
 * <ul>
 *   <li>{@code null}: reads every request body and discards it, answers 204.
 *   <li>{@code fsync}: writes every request body into {@code <directory>/<last path segment>} at an offset, then
 *       {@code FileChannel.force(true)} (as the service does for each chunk), then answers 204. The offset is the
 *       {@code Upload-Offset} header or the {@code offset} query parameter when given, else the file's current end
 *       (the requests of one file arrive one after another). A request without a body (chunk=end) writes nothing.
 * </ul>
 * Bound to 127.0.0.1; any method and path.
 */
public final class Sink {

    private static final int BUFFER = 1 << 20;

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || !(args[0].equals("null") || args[0].equals("fsync") && args.length == 3)) {
            System.err.println("usage: java Sink.java null <port> | java Sink.java fsync <port> <directory>");
            System.exit(2);
        }
        boolean fsync = args[0].equals("fsync");
        Path dir = fsync ? Files.createDirectories(Path.of(args[2])) : null;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])), 64);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            int status = 204;
            try {
                if (fsync) {
                    write(exchange, dir);
                } else {
                    try (InputStream in = exchange.getRequestBody()) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println(exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + e);
                status = 500;
            }
            try (exchange) {
                exchange.sendResponseHeaders(status, -1);
            }
        });
        server.start();
        System.out.println("sink " + args[0] + " listening on 127.0.0.1:" + args[1] + (fsync ? ", storage " + dir : ""));
    }

    private static void write(HttpExchange exchange, Path dir) throws IOException {
        byte[] bytes = new byte[BUFFER];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try (InputStream in = exchange.getRequestBody()) {
            int n = in.readNBytes(bytes, 0, BUFFER);
            if (n <= 0) {
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String name = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("bad file name " + name);
            }
            Long offset = offset(exchange);
            try (FileChannel out = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long position = offset != null ? offset : out.size();
                while (n > 0) {
                    buffer.clear().limit(n);
                    while (buffer.hasRemaining()) {
                        position += out.write(buffer, position);
                    }
                    n = in.readNBytes(bytes, 0, BUFFER);
                }
                out.force(true);
            }
        }
    }

    private static Long offset(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Upload-Offset");
        if (header != null) {
            return Long.parseLong(header.trim());
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String parameter : query.split("&")) {
                if (parameter.startsWith("offset=")) {
                    return Long.parseLong(parameter.substring("offset=".length()));
                }
            }
        }
        return null;
    }

    private Sink() {
    }
}

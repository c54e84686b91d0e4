package bench.peers;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import me.desair.tus.server.TusFileUploadService;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * tus-java-server as a servlet on {@code /files/*} in embedded Jetty 12 (ee10), for bench/peers/run.sh.
 * Uploads are created with {@code POST /files}; the {@code Location} is {@code /files/<id>}, and once complete
 * the bytes are in {@code <storage>/uploads/<id>/data} (tus-java-server's disk layout).
 *
 * <p>Arguments: port, storage directory. Bound to 127.0.0.1.
 */
public final class TusJavaServer {

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -jar tus-java-server-peer.jar <port> <storage directory>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path storage = Files.createDirectories(Path.of(args[1]));
        TusFileUploadService tus = new TusFileUploadService()
                .withUploadUri("/files")
                .withStoragePath(storage.toString());

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override   // service(), not doXxx(): HttpServlet of Servlet 6.0 has no doPatch
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                tus.process(request, response);
            }
        }), "/files/*");
        server.setHandler(context);
        server.start();
        System.out.println("tus-java-server listening on 127.0.0.1:" + port + ", storage " + storage);
        server.join();
    }

    private TusJavaServer() {
    }
}

package io.uploads.bench;

import io.tus.java.client.ProtocolException;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * One upload through the real tus-java-client, as an application would run it: POST
 * {@code /files/tus} to create, then PATCHes of up to one chunk each (sent by the client as POST with
 * {@code X-HTTP-Method-Override: PATCH}, in chunked transfer encoding). The last PATCH completes it.
 */
final class TusJavaClient {

    /** How much the client reads from the file and writes to the connection per call. */
    private static final int BUFFER_SIZE = 1 << 20;

    private TusJavaClient() {}

    /** Uploads the file under the filename and answers the tus upload id (the last segment of its URL). */
    static String upload(String baseUrl, String token, Path file, String filename, long chunk)
            throws IOException, ProtocolException {
        TusClient client = new TusClient();
        client.setUploadCreationURL(URI.create(baseUrl + "/files/tus").toURL());
        client.setHeaders(Map.of("Authorization", "Bearer " + token));
        TusUpload upload = new TusUpload(file.toFile());
        upload.setMetadata(Map.of("filename", filename));
        TusUploader uploader = client.createUpload(upload);
        uploader.setChunkSize(BUFFER_SIZE);
        uploader.setRequestPayloadSize(Math.toIntExact(chunk));
        // each call sends BUFFER_SIZE more bytes; a PATCH ends after `chunk` bytes
        while (uploader.uploadChunk() > -1) {
            // the client's documented loop
        }
        uploader.finish();
        String path = uploader.getUploadURL().getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}

package io.uploads.protocols.tus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tus.java.client.ProtocolException;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusURLStore;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.TestFiles;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4.3: the real tus-java-client (which on Java 17 sends PATCH as POST with
 * {@code X-HTTP-Method-Override}) uploads a file of more than 64 MiB in several PATCH requests,
 * and resumes an abandoned upload from the URL it stored, and the files arrive byte-identical.
 */
abstract class TusClientTest extends AppTestBase {

    private static final int MIB = 1 << 20;
    /** Not a multiple of the payload size, so the last request is a short one. */
    private static final long FILE_SIZE = 64L * MIB + 123_457;
    private static final int REQUEST_PAYLOAD = 8 * MIB;
    private static final int WRITE_SIZE = MIB;
    private static final int REQUESTS = (int) ((FILE_SIZE + REQUEST_PAYLOAD - 1) / REQUEST_PAYLOAD);
    private static final String GROUP = "tus-client-group";

    private Path source;
    private String sourceSha256;
    private String token;

    @BeforeAll
    void createSourceAndToken() throws IOException {
        source = TestFiles.randomFile(tmp.resolve("tus-source.bin"), FILE_SIZE, 417);
        sourceSha256 = TestFiles.sha256(source);
        token = app.token("tus-client", GROUP, "tus-client-other");
    }

    @Test
    void uploadsALargeFileInSeveralPatchesByteIdentical() throws Exception {
        TusUpload upload = upload("client-large.bin");
        TusUploader uploader = client(new TusURLMemoryStore()).createUpload(upload);
        configure(uploader);
        String id = TusTesting.idOf(uploader.getUploadURL().toString());

        sendTheRest(uploader);

        assertThat(uploader.getOffset()).isEqualTo(FILE_SIZE);
        List<Chunk> chunks = TusTesting.assertCompleted(app, id, "files/" + GROUP + "/client-large.bin",
                sourceSha256, FILE_SIZE);
        assertThat(chunks).as("one chunk row per PATCH").hasSize(REQUESTS);
        assertThat(chunks).allSatisfy(c -> assertThat(c.sizeBytes()).isLessThanOrEqualTo(REQUEST_PAYLOAD));
        assertThat(app.session(id).orElseThrow().groupName()).isEqualTo(GROUP);
    }

    /**
     * When the size is a multiple of the payload, the client's documented loop opens one more,
     * empty PATCH at the final offset after the upload completed; it must be answered 204.
     */
    @Test
    void aFileOfWholePayloadsEndsWithAnEmptyPatchThatIsAcknowledged() throws Exception {
        Path exact = TestFiles.randomFile(tmp.resolve("tus-exact.bin"), 2L * REQUEST_PAYLOAD, 418);
        TusUpload upload = new TusUpload(exact.toFile());
        upload.setMetadata(Map.of("filename", "client-exact.bin", "group", GROUP));
        TusUploader uploader = client(new TusURLMemoryStore()).createUpload(upload);
        configure(uploader);

        while (uploader.uploadChunk() > -1) {
            assertThat(uploader.getOffset()).isLessThanOrEqualTo(2L * REQUEST_PAYLOAD);
        }
        uploader.finish();

        TusTesting.assertCompleted(app, TusTesting.idOf(uploader.getUploadURL().toString()),
                "files/" + GROUP + "/client-exact.bin", TestFiles.sha256(exact), 2L * REQUEST_PAYLOAD);
    }

    @Test
    void anAbandonedUploadIsResumedByANewClientFromTheStoredUrl() throws Exception {
        TusURLStore urls = new TusURLMemoryStore();
        int requestsBeforeAbandoning = 3;
        long abandonedAt = (long) requestsBeforeAbandoning * REQUEST_PAYLOAD;

        TusUpload first = upload("client-resumed.bin");
        TusUploader abandoned = client(urls).createUpload(first);
        configure(abandoned);
        for (int i = 0; i < requestsBeforeAbandoning * (REQUEST_PAYLOAD / WRITE_SIZE); i++) {
            assertThat(abandoned.uploadChunk()).isEqualTo(WRITE_SIZE);
        }
        first.getInputStream().close();    // the first client goes away without finish()
        URL uploadUrl = abandoned.getUploadURL();
        String id = TusTesting.idOf(uploadUrl.toString());
        UploadSession halfway = app.session(id).orElseThrow();
        assertThat(halfway.state()).isEqualTo(SessionState.OPEN);
        assertThat(halfway.receivedBytes()).isEqualTo(abandonedAt);
        List<Chunk> chunksBefore = app.chunks(id);

        TusUploader resumed = client(urls).resumeUpload(upload("client-resumed.bin"));
        configure(resumed);

        assertThat(resumed.getUploadURL()).isEqualTo(uploadUrl);
        assertThat(resumed.getOffset()).as("offset the resumed client starts from").isEqualTo(abandonedAt);
        sendTheRest(resumed);

        List<Chunk> chunks = TusTesting.assertCompleted(app, id, "files/" + GROUP + "/client-resumed.bin",
                sourceSha256, FILE_SIZE);
        assertThat(chunks).hasSize(REQUESTS).startsWith(chunksBefore.toArray(Chunk[]::new));
    }

    @Test
    void aServerRefusalReachesTheClientAsAProtocolException() throws Exception {
        TusUpload upload = upload("client-refused.bin");
        TusClient client = client(new TusURLMemoryStore());
        client.setHeaders(Map.of("Authorization", "Bearer " + app.token("tus-client-foreign", "elsewhere")));

        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> client.createUpload(upload));

        assertThat(refused.getCausingConnection().getResponseCode()).isEqualTo(403);
        upload.getInputStream().close();
    }

    private TusClient client(TusURLStore urls) throws IOException {
        TusClient client = new TusClient();
        client.setUploadCreationURL(new URL(app.baseUrl() + TusTesting.CREATION_PATH));
        client.setHeaders(Map.of("Authorization", "Bearer " + token));
        client.enableResuming(urls);
        return client;
    }

    private TusUpload upload(String filename) throws IOException {
        TusUpload upload = new TusUpload(source.toFile());
        upload.setMetadata(Map.of("filename", filename, "group", GROUP));
        assertThat(upload.getSize()).isEqualTo(Files.size(source));
        return upload;
    }

    private static void sendTheRest(TusUploader uploader) throws IOException, ProtocolException {
        while (uploader.uploadChunk() > -1) {
            assertThat(uploader.getOffset()).isLessThanOrEqualTo(FILE_SIZE);
        }
        uploader.finish();
    }

    private static void configure(TusUploader uploader) {
        uploader.setChunkSize(WRITE_SIZE);
        uploader.setRequestPayloadSize(REQUEST_PAYLOAD);
    }
}

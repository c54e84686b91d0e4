package io.uploads.protocols.resumables;

import static io.uploads.protocols.resumables.ResumablesApiTest.assertRefused;
import static io.uploads.protocols.resumables.ResumablesApiTest.segment;
import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §5 allows {@code %} in a filename, so its encoding {@code %25} in the path is an ordinary
 * request, not one Jetty refuses as an ambiguous encoding; it is decoded exactly once.
 */
abstract class PercentFilenameTest extends AppTestBase {

    @Test
    void aFilenameWithAPercentSignIsUploadedInChunksAndStoredUnderItsName() throws Exception {
        String token = app.token("percent", "percent-group");
        byte[] first = randomBytes(1_000, 1);
        byte[] second = randomBytes(700, 2);

        Reply one = http.patch("/files/stream/50%25.txt?chunk=1", token, first);
        assertThat(one.status()).as(one.body()).isEqualTo(201);
        assertThat(one.text("filename")).isEqualTo("50%.txt");
        String id = one.text("id");
        Reply two = http.patch("/files/stream/50%25.txt?chunk=2&id=" + id, token, second);
        assertThat(two.status()).as(two.body()).isEqualTo(201);
        assertThat(two.json().get("next_offset").asLong()).isEqualTo(1_700);

        Reply open = http.get("/files/resumables/50%25.txt", token);
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        assertThat(open.text("id")).isEqualTo(id);
        assertThat(open.text("filename")).isEqualTo("50%.txt");
        assertThat(open.json().get("next_offset").asLong()).isEqualTo(1_700);

        Reply end = http.patch("/files/stream/50%25.txt?chunk=end&id=" + id, token, new byte[0]);
        assertThat(end.status()).as(end.body()).isEqualTo(201);
        assertThat(end.text("path")).isEqualTo("files/percent-group/50%.txt");

        Reply done = http.get("/files/resumables/50%25.txt?id=" + id, token);
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.text("state")).isEqualTo("COMPLETED");
        assertThat(Files.readAllBytes(app.storage().resolve("files/percent-group").resolve("50%.txt")))
                .isEqualTo(concat(first, second));
    }

    /** Names that look like encodings stay literal: {@code %2F} in a name is three characters, not a '/'. */
    @ParameterizedTest(name = "filename {0}")
    @ValueSource(strings = {"%", "100%", "%25", "a%2Fb", "%2E%2E", "%00", "x%5Cy"})
    void aFilenameThatLooksEncodedIsStoredLiterally(String filename) throws Exception {
        String token = app.token("literal", "literal-group");
        byte[] file = randomBytes(300, filename.hashCode());

        Reply put = http.put("/files/stream/" + segment(filename), token, file);

        assertThat(put.status()).as(put.body()).isEqualTo(201);
        assertThat(put.text("filename")).isEqualTo(filename);
        assertThat(Files.readAllBytes(app.storage().resolve("files/literal-group").resolve(filename))).isEqualTo(file);
        Reply found = http.get("/files/resumables/" + segment(filename) + "?id=" + put.text("id"), token);
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.text("state")).isEqualTo("COMPLETED");
    }

    /** Allowing an encoded '%' lets no encoded separator or control character through beside it. */
    @ParameterizedTest(name = "filename {0}")
    @ValueSource(strings = {"50%25%2Fx", "50%25%5Cx", "50%25%00", "%25%2F..%2Fescape"})
    void anEncodedSeparatorBesideAPercentIsStillRefused(String encoded) {
        String token = app.token("percent-refused", "percent-refused-group");

        assertRefused(http.put("/files/stream/" + encoded, token, new byte[0]), 400, "invalid_request", "filename");
        assertRefused(http.get("/files/resumables/" + encoded, token), 400, "invalid_request", "filename");

        assertThat(app.storage().resolve("files/percent-refused-group")).doesNotExist();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}

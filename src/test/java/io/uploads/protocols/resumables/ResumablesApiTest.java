package io.uploads.protocols.resumables;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Chunk;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SPEC §4.1 over real HTTP: statuses, bodies, the rows left behind and the bytes on disk. */
abstract class ResumablesApiTest extends AppTestBase {

    private String token;

    @BeforeAll
    void issueToken() {
        token = app.token("alice", "alice-group", "shared-group");
    }

    @Test
    void uploadsInChunksAndAssemblesTheFile() throws Exception {
        byte[] file = randomBytes(300_000, 1);
        Reply first = http.patch("/files/stream/report.bin?chunk=1", token, slice(file, 0, 100_000));
        assertThat(first.status()).isEqualTo(201);
        String id = first.text("id");
        assertThat(first.json().get("max_chunk").isInt()).isTrue();
        assertThat(first.json().get("next_offset").asLong()).isEqualTo(100_000);
        assertThat(first.text("group")).isEqualTo("alice-group");

        assertThat(http.patch("/files/stream/report.bin?chunk=2&id=" + id, token, slice(file, 100_000, 200_000)).status())
                .isEqualTo(201);
        assertThat(http.patch("/files/stream/report.bin?chunk=3&id=" + id, token, slice(file, 200_000, 300_000)).status())
                .isEqualTo(201);
        Reply end = http.patch("/files/stream/report.bin?chunk=end&id=" + id, token, new byte[0]);

        assertThat(end.status()).isEqualTo(201);
        assertThat(end.text("max_chunk")).isEqualTo("end");
        assertThat(end.text("sha256")).isEqualTo(sha256(file));
        assertThat(Files.readAllBytes(app.storage().resolve(end.text("path")))).isEqualTo(file);
        assertThat(app.chunks(id)).extracting(Chunk::chunkOffset).containsExactly(0L, 100_000L, 200_000L);
        UploadSession row = app.session(id).orElseThrow();
        assertThat(row.state()).isEqualTo(SessionState.COMPLETED);
        assertThat(row.sha256()).isEqualTo(sha256(file));
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}

package io.uploads.protocols.resumables;

import static io.uploads.protocols.resumables.ResumablesApiTest.assertRefused;
import static io.uploads.protocols.resumables.ResumablesApiTest.filesIn;
import static io.uploads.testing.TestFiles.randomBytes;
import static io.uploads.protocols.resumables.ResumablesApiTest.stored;
import static io.uploads.protocols.resumables.ResumablesApiTest.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.core.SessionState;
import io.uploads.protocols.resumables.ResumablesApiTest.Stored;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code onExistingFile: reject}: an existing final file is refused with 409 and nothing is lost. */
abstract class ExistingFileRejectTest extends AppTestBase {

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {ConfigOverride.config("uploads.onExistingFile", "reject")};
    }

    @Test
    void freeNameCompletesAsUsual() throws Exception {
        String token = app.token("free", "free-group");
        byte[] file = randomBytes(1_000, 1);

        Reply put = http.put("/files/stream/free.bin", token, file);

        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("path")).isEqualTo("files/free-group/free.bin");
        assertThat(Files.readAllBytes(app.storage().resolve("files/free-group/free.bin"))).isEqualTo(file);
    }

    @Test
    void endOntoAnExistingNameIsRefusedAndTheSessionStaysOpen() throws Exception {
        String token = app.token("taken", "taken-a", "taken-b");
        byte[] original = randomBytes(1_000, 2);
        byte[] newer = randomBytes(2_000, 3);
        assertThat(http.put("/files/stream/taken.bin", token, original).status()).isEqualTo(201);
        String id = http.patch(stream("taken.bin", "chunk=1"), token, newer).text("id");
        Stored before = stored(app, id);

        Reply refused = http.patch(stream("taken.bin", "chunk=end&id=" + id), token, new byte[0]);

        assertRefused(refused, 409, "file_exists", "taken.bin");
        assertThat(stored(app, id)).isEqualTo(before);
        assertThat(before.session().orElseThrow().state()).isEqualTo(SessionState.OPEN);
        Path dir = app.storage().resolve("files/taken-a");
        assertThat(filesIn(dir)).containsOnlyKeys("taken.bin");
        assertThat(Files.readAllBytes(dir.resolve("taken.bin"))).isEqualTo(original);

        Reply elsewhere = http.patch(stream("taken.bin", "chunk=end&id=" + id + "&group=taken-b"), token, new byte[0]);
        assertThat(elsewhere.status()).isEqualTo(201);
        assertThat(Files.readAllBytes(app.storage().resolve("files/taken-b/taken.bin"))).isEqualTo(newer);
    }

    /** A whole-file PUT is all or nothing, and its client never learns a session id to resume. */
    @Test
    void putOntoAnExistingNameIsRefusedBeforeItsBodyIsReadAndLeavesNoSession() throws Exception {
        String token = app.token("put-taken", "put-taken-group");
        byte[] original = randomBytes(1_000, 4);
        http.put("/files/stream/put-taken.bin", token, original);
        long sessionsBefore = sessionCount();
        var filesBefore = app.storageFixture().sessionsHeld();

        Reply refused = http.put("/files/stream/put-taken.bin", token, randomBytes(3_000, 5));

        assertRefused(refused, 409, "file_exists", "put-taken.bin");
        assertThat(sessionCount()).isEqualTo(sessionsBefore);
        assertThat(app.storageFixture().sessionsHeld()).isEqualTo(filesBefore);
        Path dir = app.storage().resolve("files/put-taken-group");
        assertThat(filesIn(dir)).containsOnlyKeys("put-taken.bin");
        assertThat(Files.readAllBytes(dir.resolve("put-taken.bin"))).isEqualTo(original);
        assertRefused(http.get("/files/resumables/put-taken.bin", token), 404, "not_found");
    }

    private long sessionCount() {
        return app.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM upload_session").mapTo(Long.class).one());
    }
}

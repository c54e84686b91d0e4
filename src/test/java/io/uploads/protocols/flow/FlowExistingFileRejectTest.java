package io.uploads.protocols.flow;

import static io.uploads.protocols.flow.FlowAssertions.assertCompleted;
import static io.uploads.protocols.flow.FlowAssertions.assertRefused;
import static io.uploads.protocols.flow.FlowAssertions.onlySession;
import static io.uploads.testing.TestFiles.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.FlowStyleClient;
import io.uploads.testing.FlowStyleClient.FlowFile;
import io.uploads.testing.FlowStyleClient.Run;
import io.uploads.testing.Http.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Under {@code onExistingFile: reject}, the chunk that would complete an upload whose name is
 * taken is refused (409) and not recorded, so nothing is assembled in vain and the test GET
 * reports it missing: the client's next attempt, once the name is free, sends it and assembles.
 */
abstract class FlowExistingFileRejectTest extends AppTestBase {

    private static final int CHUNK = 1000;
    private static final String GROUP = "reject-group";

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {ConfigOverride.config("uploads.onExistingFile", "reject")};
    }

    @Test
    void theCompletingChunkOfATakenNameIsRefusedAndTheNextAttemptFinishes() throws Exception {
        String owner = "flow-reject";
        FlowStyleClient client = new FlowStyleClient(app.baseUrl(), app.token(owner, GROUP));
        FlowFile file = FlowFile.of("taken.bin", randomBytes(3 * CHUNK + 11, 31), CHUNK);
        Path taken = Files.createDirectories(app.storage().resolve("files").resolve(GROUP)).resolve("taken.bin");
        Files.write(taken, new byte[] {42});

        client.send(file, 1);
        client.send(file, 2);
        Reply refused = client.send(file, 3);

        assertRefused(refused, 409, "file_exists", "taken.bin");
        UploadSession open = onlySession(app, owner, file.identifier());
        assertThat(open.state()).isEqualTo(SessionState.OPEN);
        assertThat(open.receivedBytes()).isEqualTo(file.size() - file.chunk(3).length);
        assertThat(List.of(client.test(file, 1).status(), client.test(file, 2).status(), client.test(file, 3).status()))
                .as("test GETs of chunks 1, 2, 3").containsExactly(200, 200, 204);
        assertThat(Files.readAllBytes(taken)).containsExactly(42);

        Files.delete(taken);    // the operator moves the old file away
        Run retry = client.upload(file, file.chunkNumbers());

        assertThat(retry.posted()).containsExactly(3);
        assertCompleted(app, owner, file, GROUP, Protocol.FLOW);
        assertThat(retry.completions()).hasSize(1);
    }
}

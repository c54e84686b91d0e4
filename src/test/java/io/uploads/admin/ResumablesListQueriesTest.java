package io.uploads.admin;

import static io.uploads.admin.SessionMaker.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import io.uploads.core.Chunk;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestFiles;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /files/resumables}: the caller's open sessions, each described by its last chunk
 * ({@code max_chunk}, {@code chunk_size}, offsets, {@code md5sum}), are right for one session and
 * for forty. The H2 runner also counts the statements the request costs, which must not grow with
 * the list.
 */
abstract class ResumablesListQueriesTest extends AppTestBase {

    static final int MANY = 40;

    /** What a session's listing must say: its last chunk and how far it got. */
    record Expected(int maxChunk, long chunkSize, long nextOffset, String md5sum) {}

    protected SessionMaker make;
    protected String none;
    protected String one;
    protected String forty;
    protected final Map<String, Expected> oneSession = new LinkedHashMap<>();
    protected final Map<String, Expected> fortySessions = new LinkedHashMap<>();

    @Override
    protected ConfigOverride[] overrides() {
        return new ConfigOverride[] {ConfigOverride.config("uploads.maxOpenSessionsPerPrincipal", "50")};
    }

    @BeforeAll
    void createSessions() {
        make = new SessionMaker(app);
        none = app.token("nora", "nora-group");
        one = app.token("uno", "uno-group");
        forty = app.token("forty", "forty-group");

        // nora has only finished sessions, which are not listed
        make.completedResumables(none, "done.bin", "nora-group", bytes(100, 1));
        String gone = make.resumables(none, "gone.bin", null, bytes(100, 2));
        assertThat(http.delete("/files/resumables?id=" + gone, none).status()).isEqualTo(200);

        byte[] a = bytes(1000, 3);
        byte[] b = bytes(333, 4);
        oneSession.put(make.resumables(one, "only.bin", null, a, b), new Expected(2, 333, 1333, TestFiles.md5(b)));

        for (int i = 0; i < MANY; i++) {
            int chunks = 1 + i % 3;
            byte[][] sent = new byte[chunks][];
            long total = 0;
            for (int n = 0; n < chunks; n++) {
                sent[n] = bytes(100 + 37 * i + 11 * n, 1000L * i + n);
                total += sent[n].length;
            }
            byte[] last = sent[chunks - 1];
            if (i % 10 == 9) {
                // a tus upload is listed the same way: its last PATCH is its last chunk
                String id = make.tus(forty, "tus-" + i + ".bin", "forty-group", total + 5000, sent[0]);
                long offset = sent[0].length;
                for (int n = 1; n < chunks; n++) {
                    assertThat(make.patchTus(forty, id, offset, sent[n]).status()).isEqualTo(204);
                    offset += sent[n].length;
                }
                fortySessions.put(id, new Expected(chunks, last.length, total, TestFiles.md5(last)));
            } else {
                String id = make.resumables(forty, "file-" + i + ".bin", null, sent);
                fortySessions.put(id, new Expected(chunks, last.length, total, TestFiles.md5(last)));
            }
        }
        // and one of forty's sessions finished: not listed
        make.completedResumables(forty, "finished.bin", "forty-group", bytes(10, 5));
    }

    @Test
    void noOpenSessionIsAnEmptyList() {
        Reply reply = http.get("/files/resumables", none);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("resumables")).isEmpty();
    }

    @Test
    void oneOpenSessionIsListedWithItsLastChunk() {
        assertListing(one, oneSession);
    }

    @Test
    void fortyOpenSessionsAreListedEachWithItsOwnLastChunk() {
        assertListing(forty, fortySessions);
    }

    private void assertListing(String token, Map<String, Expected> expected) {
        Reply reply = http.get("/files/resumables", token);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        reply.json().get("resumables").forEach(items::add);
        assertThat(items.stream().map(i -> i.get("id").asText()).toList())
                .containsExactlyInAnyOrderElementsOf(expected.keySet());

        Instant previous = Instant.MAX;
        for (JsonNode item : items) {
            String id = item.get("id").asText();
            Expected e = expected.get(id);
            assertThat(item.get("max_chunk").asInt()).as(id).isEqualTo(e.maxChunk());
            assertThat(item.get("chunk_size").asLong()).as(id).isEqualTo(e.chunkSize());
            assertThat(item.get("next_offset").asLong()).as(id).isEqualTo(e.nextOffset());
            assertThat(item.get("previous_offset").asLong()).as(id).isEqualTo(e.nextOffset() - e.chunkSize());
            assertThat(item.get("md5sum").asText()).as(id).isEqualTo(e.md5sum());
            Chunk last = app.chunks(id).get(app.chunks(id).size() - 1);
            assertThat(item.get("md5sum").asText()).as(id).isEqualTo(last.md5());
            assertThat(item.get("next_offset").asLong()).as(id).isEqualTo(last.endOffset());
            assertThat(item.get("state").asText()).isEqualTo("OPEN");
            // most recently active first
            Instant updated = Instant.parse(item.get("updated_at").asText());
            assertThat(updated).as(id).isBeforeOrEqualTo(previous);
            previous = updated;
        }
    }
}

package io.uploads.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.AuditEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chain's canonical encoding, without a database: what anyone recomputing the trail from the
 * table alone must be able to rely on (AuditChain's javadoc and the README's "Audit trail").
 */
class AuditChainTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:15:30.123456Z");
    private static final String FILENAME = "naïve 日本 🚀.bin";    // 15 chars, 22 bytes in UTF-8
    private static final String PREV = "1f".repeat(32);

    private static final AuditEntry ENTRY = new AuditEntry(7, AT, "alice", "session_created", "s-1", "tus",
            FILENAME, "g", 42L, null, null, null, null);

    @Test
    void fieldsAreLengthPrefixedInUtf8BytesOnePerLineAndNullIsADash() {
        assertThat(AuditChain.canonical(ENTRY)).isEqualTo(String.join("\n",
                "1:7",
                "27:2026-12-01T10:15:30.123456Z",
                "5:alice",
                "15:session_created",
                "3:s-1",
                "3:tus",
                "22:naïve 日本 🚀.bin",
                "1:g",
                "2:42",
                "-",
                "-"));
        assertThat(FILENAME.length()).as("a count of chars would say 15").isEqualTo(15);
    }

    @Test
    void aNullFieldDiffersFromAnEmptyOneAndFromADash() {
        String ofNull = AuditChain.canonical(with(e -> entry(e, "detail", null)));
        String ofEmpty = AuditChain.canonical(with(e -> entry(e, "detail", "")));
        String ofDash = AuditChain.canonical(with(e -> entry(e, "detail", "-")));

        assertThat(ofNull).endsWith("\n-");
        assertThat(ofEmpty).endsWith("\n0:");
        assertThat(ofDash).endsWith("\n1:-");
    }

    @Test
    void theHashIsSha256OfThePreviousHashANewlineAndTheCanonicalRow() throws Exception {
        String text = PREV + "\n" + "1:7\n27:2026-12-01T10:15:30.123456Z\n5:alice\n15:session_created\n3:s-1\n3:tus\n"
                + "22:naïve 日本 🚀.bin\n1:g\n2:42\n-\n-";
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));

        assertThat(AuditChain.hash(PREV, ENTRY)).isEqualTo(expected);
    }

    @Test
    void aRowsOwnLinksAreNotPartOfWhatItsHashCovers() {
        AuditEntry stored = ENTRY.chained(7, PREV, "ff".repeat(32));

        assertThat(AuditChain.hash(PREV, stored)).isEqualTo(AuditChain.hash(PREV, ENTRY));
    }

    @Test
    void fieldBoundariesCannotBeShiftedWithoutChangingTheHash() {
        // joined by newlines alone, both would read "x\ny\nz"
        AuditEntry a = new AuditEntry(1, AT, "x\ny", "z", null, null, null, null, null, null, null, null, null);
        AuditEntry b = new AuditEntry(1, AT, "x", "y\nz", null, null, null, null, null, null, null, null, null);

        assertThat(AuditChain.canonical(a)).isNotEqualTo(AuditChain.canonical(b));
        assertThat(AuditChain.hash(PREV, a)).isNotEqualTo(AuditChain.hash(PREV, b));
    }

    static Stream<Arguments> oneFieldChanged() {
        return Stream.of(
                Arguments.of("seq", with(e -> new AuditEntry(8, e.occurredAt(), e.actor(), e.event(), e.sessionId(),
                        e.protocol(), e.filename(), e.groupName(), e.bytes(), e.remoteAddr(), e.detail(), null, null))),
                Arguments.of("occurred_at", with(e -> new AuditEntry(e.seq(), AT.plusNanos(1000), e.actor(), e.event(),
                        e.sessionId(), e.protocol(), e.filename(), e.groupName(), e.bytes(), e.remoteAddr(), e.detail(),
                        null, null))),
                Arguments.of("actor", with(e -> entry(e, "actor", "alicf"))),
                Arguments.of("event", with(e -> entry(e, "event", "session_aborted"))),
                Arguments.of("session_id", with(e -> entry(e, "sessionId", "s-2"))),
                Arguments.of("session_id null", with(e -> entry(e, "sessionId", null))),
                Arguments.of("protocol", with(e -> entry(e, "protocol", "flow"))),
                Arguments.of("filename", with(e -> entry(e, "filename", "naïve 日本 🚀.bim"))),
                Arguments.of("group", with(e -> entry(e, "groupName", "h"))),
                Arguments.of("bytes", with(e -> new AuditEntry(e.seq(), e.occurredAt(), e.actor(), e.event(),
                        e.sessionId(), e.protocol(), e.filename(), e.groupName(), 43L, e.remoteAddr(), e.detail(),
                        null, null))),
                Arguments.of("bytes null", with(e -> new AuditEntry(e.seq(), e.occurredAt(), e.actor(), e.event(),
                        e.sessionId(), e.protocol(), e.filename(), e.groupName(), null, e.remoteAddr(), e.detail(),
                        null, null))),
                Arguments.of("remote_addr", with(e -> entry(e, "remoteAddr", "203.0.113.7"))),
                Arguments.of("detail", with(e -> entry(e, "detail", "why"))),
                Arguments.of("detail empty", with(e -> entry(e, "detail", ""))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneFieldChanged")
    void changingAnyOneFieldChangesTheHash(String field, AuditEntry changed) {
        assertThat(AuditChain.canonical(changed)).isNotEqualTo(AuditChain.canonical(ENTRY));
        assertThat(AuditChain.hash(PREV, changed)).isNotEqualTo(AuditChain.hash(PREV, ENTRY));
    }

    @Test
    void changingThePreviousHashChangesTheHash() {
        assertThat(AuditChain.hash("2f".repeat(32), ENTRY)).isNotEqualTo(AuditChain.hash(PREV, ENTRY));
        assertThat(AuditChain.hash(AuditChain.GENESIS, ENTRY)).isNotEqualTo(AuditChain.hash(PREV, ENTRY));
    }

    @Test
    void linkTakesTheNextPlaceKeepsMicrosecondsAndHashesWhatItStores() {
        AuditEntry unplaced = new AuditEntry(0, Instant.parse("2026-12-01T10:15:30.123456789Z"), "alice",
                "session_created", "s-1", "tus", FILENAME, "g", 42L, null, null, null, null);

        AuditEntry linked = AuditChain.link(unplaced, 41, PREV);

        assertThat(linked.seq()).isEqualTo(42);
        assertThat(linked.occurredAt()).isEqualTo(AT);
        assertThat(linked.prevHash()).isEqualTo(PREV);
        assertThat(linked.hash()).isEqualTo(AuditChain.hash(PREV, linked)).matches("[0-9a-f]{64}");
        assertThat(linked).usingRecursiveComparison().ignoringFields("seq", "occurredAt", "prevHash", "hash")
                .isEqualTo(unplaced);
        assertThat(AuditChain.GENESIS).isEqualTo("0".repeat(64));
    }

    private static AuditEntry with(UnaryOperator<AuditEntry> change) {
        return change.apply(ENTRY);
    }

    /** {@code e} with one of its text fields replaced. */
    private static AuditEntry entry(AuditEntry e, String field, String value) {
        return new AuditEntry(e.seq(), e.occurredAt(),
                field.equals("actor") ? value : e.actor(),
                field.equals("event") ? value : e.event(),
                field.equals("sessionId") ? value : e.sessionId(),
                field.equals("protocol") ? value : e.protocol(),
                field.equals("filename") ? value : e.filename(),
                field.equals("groupName") ? value : e.groupName(),
                e.bytes(),
                field.equals("remoteAddr") ? value : e.remoteAddr(),
                field.equals("detail") ? value : e.detail(),
                null, null);
    }
}

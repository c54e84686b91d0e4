package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilenamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"report.pdf", "a", "..hidden", "with space.txt", "ünïcødé ✓.bin", ".profile", "a..b"})
    void acceptsOrdinaryNames(String name) {
        assertThat(Filenames.requireValid(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ".", "..", "a/b", "../etc/passwd", "a\\b", "nul\u0000byte", "tab\there",
            "new\nline", "del\u007f", "c1\u0085control"})
    void refusesNamesThatCouldEscapeOrConfuse(String name) {
        assertThatThrownBy(() -> Filenames.requireValid(name))
                .isInstanceOfSatisfying(UploadException.class,
                        e -> assertThat(e.problem()).isEqualTo(UploadException.Problem.INVALID_REQUEST));
    }

    @ParameterizedTest
    @ValueSource(ints = {254, 255})
    void acceptsUpTo255BytesOfUtf8(int bytes) {
        assertThat(Filenames.requireValid("é".repeat(bytes / 2) + "x".repeat(bytes % 2))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 300})
    void refusesLongerNamesCountedInBytesNotCharacters(int bytes) {
        String name = "é".repeat(bytes / 2) + "x".repeat(bytes % 2);
        assertThat(name.length()).isLessThan(256);
        assertThatThrownBy(() -> Filenames.requireValid(name)).isInstanceOf(UploadException.class);
    }
}

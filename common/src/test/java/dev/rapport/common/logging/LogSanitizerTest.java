package dev.rapport.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSanitizerTest {

    @Test
    void replacesLineBreaksAndControlCharactersSoNoLineCanBeForged() {
        assertThat(LogSanitizer.sanitize("id-1\r\n2026-01-01 INFO forged\u001b[31m"))
                .isEqualTo("id-1__2026-01-01 INFO forged_[31m");
        assertThat(LogSanitizer.sanitize("a\u2028b")).isEqualTo("a_b");
    }

    @Test
    void cutsLongValues() {
        String sanitized = LogSanitizer.sanitize("x".repeat(500));
        assertThat(sanitized).hasSize(LogSanitizer.MAX_LENGTH + 1).endsWith("…");
    }

    @Test
    void saysNullForNull() {
        assertThat(LogSanitizer.sanitize(null)).isEqualTo("null");
    }
}

package dev.rapport.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class TimelineCursorTest {

    @Test
    void roundTripsAndRefusesGarbage() {
        TimelineCursor c = new TimelineCursor(Instant.parse("2026-11-20T10:15:00.123456Z"), "evt:1001");
        assertThat(TimelineCursor.decode(c.encode())).isEqualTo(c);
        assertThat(TimelineCursor.decode("not a cursor")).isNull();
        assertThat(TimelineCursor.decode("")).isNull();
        assertThat(TimelineCursor.decode("MTIzOmFiYw")).as("no nanos part").isNull();
    }
}

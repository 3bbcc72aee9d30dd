package dev.rapport.profile.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;

/** Conversions between Java values and the arrays the SQL statements take. */
final class Rows {

    private Rows() {
    }

    static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    static String[] texts(Collection<String> values) {
        return values.toArray(String[]::new);
    }
}

package dev.rapport.suppression.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

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

    static <T> String[] texts(Collection<T> rows, Function<T, String> field) {
        return rows.stream().map(field).toArray(String[]::new);
    }

    static <T> OffsetDateTime[] times(Collection<T> rows, Function<T, Instant> field) {
        return rows.stream().map(r -> utc(field.apply(r))).toArray(OffsetDateTime[]::new);
    }

    static List<String> list(String[] values) {
        return values == null ? List.of() : List.of(values);
    }
}

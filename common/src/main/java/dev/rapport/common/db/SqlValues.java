package dev.rapport.common.db;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/** Conversions between Java values and what the reactive PostgreSQL client binds and reads (times, text arrays). */
public final class SqlValues {

    private SqlValues() {
    }

    /** An instant as the {@code timestamptz} the client binds; null stays null. */
    public static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    /** A {@code timestamptz} read back as an instant; null stays null. */
    public static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    /** Values as the {@code text[]} the client binds. */
    public static String[] texts(Collection<String> values) {
        return values.toArray(String[]::new);
    }

    /** One field of each row as a {@code text[]}, for statements that unnest a batch. */
    public static <T> String[] texts(Collection<T> rows, Function<T, String> field) {
        return rows.stream().map(field).toArray(String[]::new);
    }

    /** One time of each row as a {@code timestamptz[]}, for statements that unnest a batch. */
    public static <T> OffsetDateTime[] times(Collection<T> rows, Function<T, Instant> field) {
        return rows.stream().map(r -> utc(field.apply(r))).toArray(OffsetDateTime[]::new);
    }

    /** A {@code text[]} read back as a list; null is empty. */
    public static List<String> list(String[] values) {
        return values == null ? List.of() : List.of(values);
    }
}

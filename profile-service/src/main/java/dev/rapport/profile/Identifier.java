package dev.rapport.profile;

import java.util.Objects;

/**
 * One normalised identifier.
 *
 * @param kind what it identifies
 * @param value the normalised value (E.164 phone, lower-cased email, trimmed otherwise)
 */
public record Identifier(IdentifierKind kind, String value) implements Comparable<Identifier> {

    public Identifier {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public int compareTo(Identifier other) {
        int byKind = kind.compareTo(other.kind);
        return byKind != 0 ? byKind : value.compareTo(other.value);
    }
}

package dev.rapport.profile.audience;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** A node of a segment's condition tree (see the profile-service README for the format). */
public sealed interface Condition {

    /** Every operand holds (AND). */
    record All(List<Condition> conditions) implements Condition {
    }

    /** At least one operand holds (OR). */
    record Any(List<Condition> conditions) implements Condition {
    }

    /** The operand does not hold (NOT). */
    record Not(Condition condition) implements Condition {
    }

    /** A comparison of a trait with values. */
    record Trait(String key, Operator operator, List<JsonNode> values) implements Condition {
    }

    /**
     * The person has a number of events of a type, optionally with given property values, on given channels, within a
     * time window.
     */
    record Event(String type, Map<String, JsonNode> properties, Duration within, Comparator comparator, long count,
            List<String> channels) implements Condition {
    }

    /** Trait comparisons. */
    enum Operator {
        EQUALS, NOT_EQUALS, IN, EXISTS, GREATER_THAN, LESS_THAN
    }

    /** Event count comparisons. */
    enum Comparator {
        AT_LEAST, AT_MOST, EXACTLY
    }
}

package dev.rapport.suppression;

import java.time.Instant;

/**
 * One rule that applies to a contact request.
 *
 * @param rule the rule
 * @param detail what applies, for people
 * @param sourceEventId the event that caused it, or null
 * @param until when it lifts by itself, or null when it does not
 */
public record Reason(Rule rule, String detail, String sourceEventId, Instant until) {

    public static Reason of(Rule rule, String detail) {
        return new Reason(rule, detail, null, null);
    }
}

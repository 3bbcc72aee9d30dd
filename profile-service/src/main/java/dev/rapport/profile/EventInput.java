package dev.rapport.profile;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.vocabulary.Channel;

/**
 * A valid event, its identifiers normalised.
 *
 * @param id producer's event id, unique
 * @param type event type
 * @param channel channel, or null when the producer named none
 * @param occurredAt when it happened
 * @param identifiers its identifiers, at least one, one per kind
 * @param traits traits of the person, or null
 * @param properties properties of the interaction, or null
 */
public record EventInput(String id, String type, Channel channel, Instant occurredAt, List<Identifier> identifiers,
        ObjectNode traits, ObjectNode properties) {

    public EventInput {
        identifiers = List.copyOf(identifiers);
    }

    /** The event's identifier of a kind, or null. */
    public Identifier identifier(IdentifierKind kind) {
        for (Identifier i : identifiers) {
            if (i.kind() == kind) {
                return i;
            }
        }
        return null;
    }

    /** A text property, or null when absent or not text. */
    public String text(String property) {
        if (properties == null || !properties.hasNonNull(property) || !properties.get(property).isValueNode()) {
            return null;
        }
        String value = properties.get(property).asText();
        return value.isBlank() ? null : value;
    }
}

package dev.rapport.profile;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An event as the timeline holds it.
 *
 * @param id event id
 * @param profileId profile it belongs to now
 * @param type event type
 * @param channel channel API name, or null
 * @param occurredAt when it happened
 * @param receivedAt when it was stored
 * @param identifiers its normalised identifiers, by API name
 * @param traits traits it carried, or null
 * @param properties its properties, or null
 */
public record StoredEvent(String id, String profileId, String type, String channel, Instant occurredAt,
        Instant receivedAt, ObjectNode identifiers, ObjectNode traits, ObjectNode properties) {
}

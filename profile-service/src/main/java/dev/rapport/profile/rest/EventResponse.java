package dev.rapport.profile.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.profile.StoredEvent;

/** An event of a timeline on the wire. */
public record EventResponse(String id, String profileId, String type, String channel, Instant occurredAt,
        Instant receivedAt, ObjectNode identifiers, ObjectNode traits, ObjectNode properties) {

    public static EventResponse of(StoredEvent e) {
        return new EventResponse(e.id(), e.profileId(), e.type(), e.channel(), e.occurredAt(), e.receivedAt(),
                e.identifiers(), e.traits(), e.properties());
    }
}

package dev.rapport.suppression;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * An event as profile-service publishes it on the event stream: the {@code data} of a CloudEvents 1.0 JSON document.
 *
 * @param id the event id
 * @param type the Rapport event type
 * @param channel the channel's API name, or null
 * @param occurredAt when it happened
 * @param profileId the profile it belongs to
 * @param identifiers identifier kind to value
 * @param traits the traits it carried (an object, possibly empty)
 * @param properties its properties (an object, possibly empty)
 */
public record StreamEvent(String id, String type, String channel, Instant occurredAt, String profileId,
        Map<String, String> identifiers, JsonNode traits, JsonNode properties) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a CloudEvents document; fails with {@link IllegalArgumentException} saying what is missing. */
    public static StreamEvent parse(String cloudEvent) {
        JsonNode root;
        try {
            root = JSON.readTree(cloudEvent);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode data = root.path("data");
        String id = text(data, "id", text(root, "id", null));
        String type = text(data, "type", text(root, "type", null));
        String profileId = text(data, "profileId", text(root, "subject", null));
        String time = text(data, "occurredAt", text(root, "time", null));
        if (id == null || type == null || profileId == null || time == null) {
            throw new IllegalArgumentException("id, type, subject and time are required");
        }
        Instant at;
        try {
            at = Instant.parse(time);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time is not an ISO-8601 instant");
        }
        Map<String, String> identifiers = new LinkedHashMap<>();
        data.path("identifiers").properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                identifiers.put(e.getKey(), e.getValue().asText());
            }
        });
        return new StreamEvent(id, type, text(data, "channel", null), at, profileId, identifiers,
                object(data.path("traits")), object(data.path("properties")));
    }

    /** The same event, belonging to another profile (the survivor of a merge). */
    public StreamEvent withProfile(String profile) {
        return profile.equals(profileId) ? this
                : new StreamEvent(id, type, channel, occurredAt, profile, identifiers, traits, properties);
    }

    /** A text property, or null. */
    public String property(String name) {
        return text(properties, name, null);
    }

    private static JsonNode object(JsonNode node) {
        return node.isObject() ? node : MissingNode.getInstance();
    }

    static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.path(field);
        if (v.isTextual() && !v.asText().isBlank()) {
            return v.asText().strip();
        }
        if (v.isNumber()) {
            return v.asText();
        }
        return fallback;
    }
}

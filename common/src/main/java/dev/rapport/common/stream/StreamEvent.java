package dev.rapport.common.stream;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * An event as it travels on the event stream: the {@code data} of a CloudEvents 1.0 JSON document whose
 * {@code type} is the event type and whose {@code subject} is the profile it belongs to. Both sides of the contract are
 * here: profile-service writes the document with {@link #write}, every consumer reads it with {@link #parse}. The
 * schema of the document is {@code rapport/stream/event.schema.json} in this module.
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

    /** The CloudEvents {@code source} of every event profile-service publishes. */
    public static final String SOURCE = "/rapport/profile-service";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Reads a CloudEvents document; fails with {@link IllegalArgumentException} saying what is wrong. */
    public static StreamEvent parse(String cloudEvent) {
        JsonNode root;
        try {
            root = JSON.readTree(cloudEvent);
        } catch (IOException e) {
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

    /**
     * The CloudEvents 1.0 JSON document of a stored event, from the JSON texts the database holds (written as they
     * are, not parsed again).
     *
     * @param identifiersJson the identifiers object
     * @param traitsJson the traits object, or null
     * @param propertiesJson the properties object, or null
     */
    public static String write(String id, String type, String channel, Instant occurredAt, Instant receivedAt,
            String profileId, String identifiersJson, String traitsJson, String propertiesJson) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            String time = occurredAt.toString();
            g.writeStartObject();
            g.writeStringField("specversion", "1.0");
            g.writeStringField("id", id);
            g.writeStringField("source", SOURCE);
            g.writeStringField("type", type);
            g.writeStringField("subject", profileId);
            g.writeStringField("time", time);
            g.writeStringField("datacontenttype", "application/json");
            g.writeObjectFieldStart("data");
            g.writeStringField("id", id);
            g.writeStringField("type", type);
            if (channel != null) {
                g.writeStringField("channel", channel);
            }
            g.writeStringField("occurredAt", time);
            g.writeStringField("receivedAt", receivedAt.toString());
            g.writeStringField("profileId", profileId);
            g.writeFieldName("identifiers");
            g.writeRawValue(identifiersJson == null ? "{}" : identifiersJson);
            g.writeFieldName("traits");
            g.writeRawValue(traitsJson == null ? "{}" : traitsJson);
            g.writeFieldName("properties");
            g.writeRawValue(propertiesJson == null ? "{}" : propertiesJson);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The same event, belonging to another profile (the survivor of a merge). */
    public StreamEvent withProfile(String profile) {
        return profile.equals(profileId) ? this
                : new StreamEvent(id, type, channel, occurredAt, profile, identifiers, traits, properties);
    }

    /** A text (or number) property, stripped, or null when absent or blank. */
    public String property(String name) {
        return text(properties, name, null);
    }

    /**
     * The profiles a {@code profile_erased} erases: the erased one first (its {@code profileId} property, else the
     * event's profile), then every one merged into it, each once.
     */
    public List<String> erasedIds() {
        List<String> ids = new ArrayList<>();
        String erased = property(EventTypes.ERASED_PROFILE_ID);
        ids.add(erased != null ? erased : profileId);
        for (JsonNode id : properties.path(EventTypes.ERASED_MERGED_IDS)) {
            if (id.isTextual() && !ids.contains(id.asText())) {
                ids.add(id.asText());
            }
        }
        return ids;
    }

    /** A text (or number) trait, stripped, or null when absent or blank. */
    public String trait(String name) {
        return text(traits, name, null);
    }

    private static JsonNode object(JsonNode node) {
        return node.isObject() ? node : MissingNode.getInstance();
    }

    /** A text or number field of a JSON object as text, stripped; the fallback when absent or blank. */
    public static String text(JsonNode node, String field, String fallback) {
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

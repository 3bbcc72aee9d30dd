package dev.rapport.profile.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.error.FieldError;
import dev.rapport.profile.RawEvent;

/** Reads one event of a request body, noting fields of the wrong JSON type; unknown fields are ignored. */
final class EventJson {

    private EventJson() {
    }

    static RawEvent read(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            errors.add(new FieldError("", "must be an event object"));
            return new RawEvent(null, null, null, null, Map.of(), null, null, errors);
        }
        String id = text(node, "id", errors);
        String type = text(node, "type", errors);
        String channel = text(node, "channel", errors);
        String occurredAt = text(node, "occurredAt", errors);
        Map<String, String> identifiers = new LinkedHashMap<>();
        JsonNode ids = node.get("identifiers");
        if (ids != null && !ids.isNull()) {
            if (!ids.isObject()) {
                errors.add(new FieldError("identifiers", "must be an object of identifier kind to value"));
            } else {
                for (Map.Entry<String, JsonNode> f : ids.properties()) {
                    JsonNode v = f.getValue();
                    if (v.isNull()) {
                        continue;
                    }
                    if (v.isTextual()) {
                        identifiers.put(f.getKey(), v.asText());
                    } else {
                        errors.add(new FieldError("identifiers." + f.getKey(), "must be a string"));
                    }
                }
            }
        }
        ObjectNode traits = object(node, "traits", errors);
        ObjectNode properties = object(node, "properties", errors);
        return new RawEvent(id, type, channel, occurredAt, identifiers, traits, properties, errors);
    }

    private static String text(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return value.asText();
    }

    private static ObjectNode object(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            errors.add(new FieldError(field, "must be an object"));
            return null;
        }
        return (ObjectNode) value;
    }
}

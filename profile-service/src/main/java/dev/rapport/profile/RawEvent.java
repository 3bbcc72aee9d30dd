package dev.rapport.profile;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.error.FieldError;

/**
 * An event as a producer sent it, before validation: REST and gRPC adapters fill it from their wire format, noting
 * fields of the wrong type in {@code typeErrors}.
 *
 * @param id producer's event id
 * @param type event type
 * @param channel channel API name, or null
 * @param occurredAt ISO-8601 time with offset
 * @param identifiers identifier API name to raw value, in the order sent
 * @param traits traits object, or null
 * @param properties properties object, or null
 * @param typeErrors fields the adapter found of the wrong type
 */
public record RawEvent(String id, String type, String channel, String occurredAt, Map<String, String> identifiers,
        ObjectNode traits, ObjectNode properties, List<FieldError> typeErrors) {
}

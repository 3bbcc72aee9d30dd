package dev.rapport.profile.rest;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A batch of events, for the OpenAPI document. */
@Schema(name = "EventBatch", description = "Up to 1000 events")
public record EventBatchDocument(@Schema(required = true, maxItems = 1000) List<EventDocument> events) {
}

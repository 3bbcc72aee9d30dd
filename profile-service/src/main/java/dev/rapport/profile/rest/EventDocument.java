package dev.rapport.profile.rest;

import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The shape of one event in a request, for the OpenAPI document (requests are read field by field, so that each
 * event of a batch is judged on its own).
 */
@Schema(name = "Event", description = "One interaction of a person on one channel")
public record EventDocument(
        @Schema(required = true, description = "Producer-chosen unique id; the same id twice is stored once",
                examples = "evt-1001") String id,
        @Schema(required = true, description = "Event type (order_placed, product_viewed, ticket_opened, …)",
                examples = "product_viewed") String type,
        @Schema(description = "web, app, email, sms, push, messenger, call_center, store, social or service_desk",
                examples = "web") String channel,
        @Schema(required = true, description = "ISO-8601 time with offset", examples = "2026-11-20T10:15:00+03:00")
        String occurredAt,
        @Schema(required = true, description = "At least one of email, phone, externalId, loyaltyCard, anonymousId, "
                + "deviceId, pushToken, telegramId, whatsappId") Map<String, String> identifiers,
        @Schema(description = "Traits of the person (firstName, birthday, timezone, locale, …)") Map<String, Object> traits,
        @Schema(description = "Properties of the interaction (productId, orderId, amount, ticketId, …)")
        Map<String, Object> properties) {
}

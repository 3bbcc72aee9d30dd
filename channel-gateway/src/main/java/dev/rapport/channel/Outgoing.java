package dev.rapport.channel;

import java.time.Instant;
import java.util.List;

/**
 * A message as a caller asks for it (REST or gRPC), before it is checked.
 *
 * @param to the address, or null to take the profile's on that channel
 * @param expiresAt when it is worthless (an order update a week late), or null: a message held past it is dropped with
 *        reason {@code expired}
 */
public record Outgoing(String id, String profileId, String channel, String purpose, String to, Content content,
        String campaignId, List<String> productIds, Instant expiresAt) {

    public Outgoing {
        productIds = productIds == null ? List.of() : List.copyOf(productIds);
    }
}

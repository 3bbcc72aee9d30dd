package dev.rapport.channel;

import java.time.Instant;
import java.util.List;

/**
 * A message as the gateway keeps it.
 *
 * @param id the caller's id: the same id is one message
 * @param channel {@code email}, {@code sms}, {@code push} or {@code messenger}
 * @param purpose {@code marketing}, {@code service} or {@code transactional}
 * @param address where it goes: an email address, a phone in E.164, a push token, {@code telegram:<chat id>} or
 *        {@code whatsapp:<wa id>}
 * @param segments how many SMS parts it takes (1 on the other channels)
 * @param encoding the SMS encoding ({@code GSM-7}, {@code UCS-2}), null on the other channels
 * @param status {@code queued}, {@code held}, {@code sending}, {@code sent}, {@code delivered}, {@code opened},
 *        {@code clicked}, {@code bounced}, {@code failed} or {@code expired}
 * @param nextAttemptAt when it is due (queued or held), else null
 * @param language the language it is written in ({@code ru}, {@code en}): the person's when it was accepted
 */
public record Message(String id, String profileId, String channel, String purpose, String address, Content content,
        String campaignId, List<String> productIds, int segments, String encoding, String status, String provider,
        String providerMessageId, int attempts, Instant nextAttemptAt, Instant expiresAt, String lastError,
        Instant createdAt, String language) {

    /** Whether suppression-service decides on it (marketing and service messages; transactional ones always go). */
    public boolean decided() {
        return !purpose.equals("transactional");
    }
}

package dev.rapport.suppression;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * Everything suppression-service holds about one person that a decision reads.
 *
 * @param profileId the person (a survivor, never a merged-away id)
 * @param known whether any event of the person was seen
 * @param timezone the person's own time zone, or null
 * @param erasedAt when the profile was erased, or null
 * @param erasedEventId the {@code profile_erased} event, or null
 * @param doNotContact the person's entry on the do-not-contact list, or null
 */
public record SubjectState(String profileId, boolean known, ZoneId timezone, Instant erasedAt, String erasedEventId,
        DoNotContact doNotContact, List<Address> addresses, List<Purchase> purchases, List<Decline> declines,
        List<Ticket> tickets, List<Consent> consents) {

    public SubjectState {
        addresses = List.copyOf(addresses);
        purchases = List.copyOf(purchases);
        declines = List.copyOf(declines);
        tickets = List.copyOf(tickets);
        consents = List.copyOf(consents);
    }

    /** A person never seen. */
    public static SubjectState unknown(String profileId) {
        return new SubjectState(profileId, false, null, null, null, null, List.of(), List.of(), List.of(), List.of(),
                List.of());
    }

    /** An address and whether it still works. */
    public record Address(AddressKind kind, String value, Instant seenAt, AddressStatus status, Instant statusAt,
            String statusEventId) {
    }

    /** An order from {@code order_placed} on; {@code placedAt} is null while only its status change was seen. */
    public record Purchase(String orderId, List<String> productIds, List<String> categories, Instant placedAt,
            String placedEventId, String status, Instant cancelledAt, String cancelledEventId) {

        public Purchase {
            productIds = List.copyOf(productIds);
            categories = List.copyOf(categories);
        }
    }

    /** A product or category declined, and accepted again if it was. */
    public record Decline(String kind, String value, Instant declinedAt, String declinedEventId, Instant acceptedAt) {
    }

    /** A service ticket; open while its latest opening is later than its latest resolution. */
    public record Ticket(String ticketId, Instant openedAt, String openedEventId, Instant resolvedAt,
            String resolvedEventId) {

        public boolean open() {
            return openedAt != null && (resolvedAt == null || openedAt.isAfter(resolvedAt));
        }
    }

    /** The consent in force for a channel ({@code all} for every channel) and topic (empty for every topic). */
    public record Consent(String channel, String topic, ConsentStatus status, String source, Instant at,
            String eventId) {
    }

    /** An entry of the do-not-contact list. */
    public record DoNotContact(String reason, String source, Instant at) {
    }
}

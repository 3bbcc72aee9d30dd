package dev.rapport.profile.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.profile.Profile;
import dev.rapport.profile.Summary;

/**
 * A profile on the wire (docs/api.md): its traits, identifiers, merged ids and summary.
 *
 * @param id profile id (the survivor's, when a merged-away id was asked for)
 * @param createdAt when the profile was created
 * @param updatedAt when it last changed
 * @param traits latest traits
 * @param identifiers every identifier
 * @param mergedIds profiles merged into this one
 * @param summary the person at a glance
 */
public record ProfileResponse(String id, Instant createdAt, Instant updatedAt, ObjectNode traits,
        List<IdentifierItem> identifiers, List<String> mergedIds, SummaryItem summary) {

    /** One identifier. */
    public record IdentifierItem(String kind, String value) {
    }

    /** The summary of docs/api.md. */
    public record SummaryItem(Map<String, Instant> lastSeen, List<InterestItem> interests, List<String> purchases,
            List<String> pendingOrders, List<DeclinedOfferItem> declinedOffers, List<TicketItem> openTickets,
            long ordersCount, BigDecimal revenue, BigDecimal averageOrderValue, String currency,
            Map<String, BigDecimal> revenueByCurrency) {
    }

    /** A product or category of interest. */
    public record InterestItem(String kind, String value, long count, Instant lastAt) {
    }

    /** A declined product or category. */
    public record DeclinedOfferItem(String kind, String value, Instant declinedAt) {
    }

    /** An open ticket. */
    public record TicketItem(String ticketId, Instant openedAt) {
    }

    public static ProfileResponse of(Profile p) {
        Summary s = p.summary();
        return new ProfileResponse(p.id(), p.createdAt(), p.updatedAt(), p.traits(),
                p.identifiers().stream().map(i -> new IdentifierItem(i.kind().apiName(), i.value())).toList(),
                p.mergedIds(),
                new SummaryItem(s.lastSeen(),
                        s.interests().stream().map(i -> new InterestItem(i.kind(), i.value(), i.count(), i.lastAt()))
                                .toList(),
                        s.purchases(), s.pendingOrders(),
                        s.declinedOffers().stream().map(o -> new DeclinedOfferItem(o.kind(), o.value(), o.at())).toList(),
                        s.openTickets().stream().map(t -> new TicketItem(t.ticketId(), t.openedAt())).toList(),
                        s.ordersCount(), s.revenue(), s.averageOrderValue(), s.currency(), s.revenueByCurrency()));
    }
}

package dev.rapport.profile;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.stream.EventTypes;

/**
 * What a batch of events changes in the profiles' summaries, gathered per row so that each summary row is written once
 * per batch. Every fact carries the event's own time: the store keeps the latest by that time, so events that arrive
 * late or out of order end where they belong.
 */
public final class SummaryFacts {

    /** Order statuses from least to most final; on equal times the more final wins. */
    public static final List<String> ORDER_STATUSES = List.of("pending", "confirmed", "shipped", "completed",
            "cancelled");

    /** Last interaction of a profile on a channel. */
    public record ChannelSeen(String profileId, String channel, Instant at) {
    }

    /** Interactions with a product or category. */
    public record Interest(String profileId, String kind, String value, long count, Instant lastAt) {
    }

    /** What is known of an order: what was placed ({@code placedAt} set) and its latest status. */
    public record Order(String orderId, String profileId, List<String> productIds, BigDecimal amount, String currency,
            Instant placedAt, String status, Instant statusAt, String sourceEventId) {
    }

    /** What is known of a ticket: when it was last opened and last resolved. */
    public record Ticket(String ticketId, String profileId, Instant openedAt, Instant resolvedAt, Instant updatedAt) {
    }

    /** The latest answer of a person to an offer of a product or category. */
    public record Offer(String profileId, String kind, String value, String status, Instant at, String sourceEventId) {
    }

    private final Map<List<String>, ChannelSeen> channels = new LinkedHashMap<>();
    private final Map<List<String>, Interest> interests = new LinkedHashMap<>();
    private final Map<String, Order> orders = new LinkedHashMap<>();
    private final Map<String, Ticket> tickets = new LinkedHashMap<>();
    private final Map<List<String>, Offer> offers = new LinkedHashMap<>();

    /** Adds what {@code event}, recorded on {@code profileId}, says about the person. */
    public void add(EventInput event, String profileId) {
        Instant at = event.occurredAt();
        if (event.channel() != null) {
            channels.merge(List.of(profileId, event.channel().apiName()),
                    new ChannelSeen(profileId, event.channel().apiName(), at),
                    (a, b) -> b.at().isAfter(a.at()) ? b : a);
        }
        switch (event.type()) {
            case EventTypes.PRODUCT_VIEWED, EventTypes.CART_UPDATED, EventTypes.CHECKOUT_STARTED -> {
                for (String product : products(event)) {
                    interest(profileId, "product", product, at);
                }
                String category = event.text("category");
                if (category != null) {
                    interest(profileId, "category", category, at);
                }
            }
            case EventTypes.ORDER_PLACED -> {
                String orderId = event.text("orderId");
                if (orderId != null) {
                    order(new Order(orderId, profileId, List.copyOf(products(event)), amount(event),
                            event.text("currency"), at, "pending", at, event.id()));
                }
            }
            case EventTypes.ORDER_STATUS_CHANGED -> {
                String orderId = event.text("orderId");
                String status = event.text("status");
                if (orderId != null && status != null && ORDER_STATUSES.contains(status)) {
                    order(new Order(orderId, profileId, null, null, null, null, status, at, event.id()));
                }
            }
            case EventTypes.TICKET_OPENED -> ticket(event, profileId, at, null);
            case EventTypes.TICKET_UPDATED -> ticket(event, profileId, null, null);
            case EventTypes.TICKET_RESOLVED -> ticket(event, profileId, null, at);
            case EventTypes.OFFER_DECLINED -> offer(event, profileId, "declined");
            case EventTypes.OFFER_ACCEPTED -> offer(event, profileId, "accepted");
            default -> {
                // other types only mark the channel as seen
            }
        }
    }

    public Collection<ChannelSeen> channels() {
        return channels.values();
    }

    public Collection<Interest> interests() {
        return interests.values();
    }

    public Collection<Order> orders() {
        return orders.values();
    }

    public Collection<Ticket> tickets() {
        return tickets.values();
    }

    public Collection<Offer> offers() {
        return offers.values();
    }

    private void interest(String profileId, String kind, String value, Instant at) {
        interests.merge(List.of(profileId, kind, value), new Interest(profileId, kind, value, 1, at),
                (a, b) -> new Interest(profileId, kind, value, a.count() + b.count(), max(a.lastAt(), b.lastAt())));
    }

    private void order(Order fact) {
        orders.merge(fact.orderId(), fact, SummaryFacts::combine);
    }

    /** Two facts of one order: what was placed comes from the placing; the status is the latest. */
    static Order combine(Order a, Order b) {
        Order placed = a.placedAt() != null ? a : b;
        Order latest = laterStatus(a, b) ? a : b;
        return new Order(a.orderId(), placed.profileId(), placed.productIds(), placed.amount(), placed.currency(),
                placed.placedAt(), latest.status(), latest.statusAt(), latest.sourceEventId());
    }

    /** Whether {@code a}'s status is later than {@code b}'s: by time, then by how final it is. */
    static boolean laterStatus(Order a, Order b) {
        int byTime = a.statusAt().compareTo(b.statusAt());
        if (byTime != 0) {
            return byTime > 0;
        }
        return ORDER_STATUSES.indexOf(a.status()) > ORDER_STATUSES.indexOf(b.status());
    }

    private void ticket(EventInput event, String profileId, Instant openedAt, Instant resolvedAt) {
        String ticketId = event.text("ticketId");
        if (ticketId == null) {
            return;
        }
        Ticket fact = new Ticket(ticketId, profileId, openedAt, resolvedAt, event.occurredAt());
        tickets.merge(ticketId, fact, (a, b) -> new Ticket(ticketId, a.profileId(), max(a.openedAt(), b.openedAt()),
                max(a.resolvedAt(), b.resolvedAt()), max(a.updatedAt(), b.updatedAt())));
    }

    private void offer(EventInput event, String profileId, String status) {
        String product = event.text("productId");
        String kind = product != null ? "product" : "category";
        String value = product != null ? product : event.text("category");
        if (value == null) {
            return;
        }
        offers.merge(List.of(profileId, kind, value),
                new Offer(profileId, kind, value, status, event.occurredAt(), event.id()),
                (a, b) -> b.at().isBefore(a.at()) ? a : b);
    }

    /** The products an event names: {@code productId} and the entries of {@code productIds}. */
    static Set<String> products(EventInput event) {
        Set<String> products = new LinkedHashSet<>();
        String single = event.text("productId");
        if (single != null) {
            products.add(single);
        }
        JsonNode many = event.properties() == null ? null : event.properties().get("productIds");
        if (many != null && many.isArray()) {
            for (JsonNode p : many) {
                if (p.isValueNode() && !p.asText().isBlank()) {
                    products.add(p.asText());
                }
            }
        }
        return products;
    }

    private static BigDecimal amount(EventInput event) {
        JsonNode amount = event.properties() == null ? null : event.properties().get("amount");
        if (amount == null || amount.isNull()) {
            return null;
        }
        if (amount.isNumber()) {
            return amount.decimalValue();
        }
        try {
            return new BigDecimal(amount.asText().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant max(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    /** All facts as one list, for tests and logs. */
    List<Object> all() {
        List<Object> all = new ArrayList<>();
        all.addAll(channels.values());
        all.addAll(interests.values());
        all.addAll(orders.values());
        all.addAll(tickets.values());
        all.addAll(offers.values());
        return all;
    }
}

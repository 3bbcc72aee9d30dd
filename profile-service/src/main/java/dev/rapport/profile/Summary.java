package dev.rapport.profile;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A person at a glance, read from rows kept current as events arrive.
 *
 * @param lastSeen last interaction per channel
 * @param interests recent products and categories, most recent first
 * @param purchases products of every order placed and not cancelled (pending included), most recent first
 * @param pendingOrders products of orders neither completed nor cancelled
 * @param declinedOffers products and categories the person declined, most recent first (an acceptance since lifts one)
 * @param openTickets open service tickets, newest first
 * @param ordersCount orders placed and not cancelled
 * @param revenue their amount in {@code currency}
 * @param averageOrderValue revenue per order in {@code currency}
 * @param currency the currency of most orders
 * @param revenueByCurrency revenue in every currency ordered in
 */
public record Summary(Map<String, Instant> lastSeen, List<Interest> interests, List<String> purchases,
        List<String> pendingOrders, List<Offer> declinedOffers, List<Ticket> openTickets, long ordersCount,
        BigDecimal revenue, BigDecimal averageOrderValue, String currency, Map<String, BigDecimal> revenueByCurrency) {

    /** Interactions with a product or category. */
    public record Interest(String kind, String value, long count, Instant lastAt) {
    }

    /** A declined product or category. */
    public record Offer(String kind, String value, Instant at) {
    }

    /** An open ticket. */
    public record Ticket(String ticketId, Instant openedAt) {
    }

    /** A placed order as the summary sees it. */
    public record Order(List<String> productIds, BigDecimal amount, String currency, String status, Instant placedAt) {
    }

    private static final Set<String> PENDING = Set.of("pending", "confirmed", "shipped");

    /** The summary of a person's rows; {@code orders} are their placed orders, newest first. */
    public static Summary of(Map<String, Instant> lastSeen, List<Interest> interests, List<Order> orders,
            List<Offer> declined, List<Ticket> openTickets) {
        Set<String> purchases = new LinkedHashSet<>();
        Set<String> pending = new LinkedHashSet<>();
        Map<String, BigDecimal> revenue = new TreeMap<>();
        Map<String, Integer> ordersPerCurrency = new TreeMap<>();
        long count = 0;
        for (Order order : orders) {
            if ("cancelled".equals(order.status())) {
                continue;
            }
            count++;
            purchases.addAll(order.productIds());
            if (PENDING.contains(order.status())) {
                pending.addAll(order.productIds());
            }
            if (order.amount() != null && order.currency() != null) {
                revenue.merge(order.currency(), order.amount(), BigDecimal::add);
                ordersPerCurrency.merge(order.currency(), 1, Integer::sum);
            }
        }
        String currency = ordersPerCurrency.entrySet().stream()
                .max(Comparator.<Map.Entry<String, Integer>> comparingInt(Map.Entry::getValue)
                        .thenComparing(e -> revenue.get(e.getKey())))
                .map(Map.Entry::getKey).orElse(null);
        BigDecimal total = currency == null ? BigDecimal.ZERO : revenue.get(currency);
        BigDecimal average = currency == null ? BigDecimal.ZERO
                : total.divide(BigDecimal.valueOf(ordersPerCurrency.get(currency)), 2, RoundingMode.HALF_EVEN);
        return new Summary(lastSeen, interests, new ArrayList<>(purchases), new ArrayList<>(pending), declined,
                openTickets, count, total, average, currency, revenue);
    }
}

package dev.rapport.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class SummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private static EventInput event(String id, String type, Instant at, String properties) throws Exception {
        return new EventInput(id, type, dev.rapport.common.vocabulary.Channel.WEB, at,
                List.of(new Identifier(IdentifierKind.ANONYMOUS_ID, "c")), null, (ObjectNode) JSON.readTree(properties));
    }

    @Test
    void aStatusThatArrivesBeforeItsOrderStillWinsWhenItIsLater() throws Exception {
        SummaryFacts facts = new SummaryFacts();
        facts.add(event("e2", "order_status_changed", T0.plusSeconds(60), "{\"orderId\":\"o1\",\"status\":\"cancelled\"}"),
                "p");
        facts.add(event("e1", "order_placed", T0, "{\"orderId\":\"o1\",\"productIds\":[\"hoop-42\"],\"amount\":99.5,"
                + "\"currency\":\"RUB\"}"), "p");
        SummaryFacts.Order order = facts.orders().iterator().next();
        assertThat(order.status()).isEqualTo("cancelled");
        assertThat(order.productIds()).containsExactly("hoop-42");
        assertThat(order.amount()).isEqualByComparingTo("99.5");
        assertThat(order.placedAt()).isEqualTo(T0);
    }

    @Test
    void onEqualTimesTheMoreFinalStatusWins() {
        SummaryFacts.Order pending = new SummaryFacts.Order("o", "p", List.of(), null, null, T0, "pending", T0, "e1");
        SummaryFacts.Order cancelled = new SummaryFacts.Order("o", "p", null, null, null, null, "cancelled", T0, "e2");
        assertThat(SummaryFacts.combine(pending, cancelled).status()).isEqualTo("cancelled");
        assertThat(SummaryFacts.combine(cancelled, pending).status()).isEqualTo("cancelled");
    }

    @Test
    void countsInterestsAndKeepsTheLatestAnswerToAnOffer() throws Exception {
        SummaryFacts facts = new SummaryFacts();
        facts.add(event("e1", "product_viewed", T0, "{\"productId\":\"hoop-42\",\"category\":\"basketball\"}"), "p");
        facts.add(event("e2", "product_viewed", T0.plusSeconds(5), "{\"productId\":\"hoop-42\"}"), "p");
        facts.add(event("e3", "offer_declined", T0.plusSeconds(10), "{\"productId\":\"hoop-42\"}"), "p");
        facts.add(event("e4", "offer_accepted", T0.plusSeconds(1), "{\"productId\":\"hoop-42\"}"), "p");
        assertThat(facts.interests()).extracting(SummaryFacts.Interest::value, SummaryFacts.Interest::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("hoop-42", 2L),
                        org.assertj.core.groups.Tuple.tuple("basketball", 1L));
        assertThat(facts.offers()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo("declined"));
    }

    @Test
    void aResolutionBeforeItsOpeningLeavesNoOpenTicket() throws Exception {
        SummaryFacts facts = new SummaryFacts();
        facts.add(event("e2", "ticket_resolved", T0.plusSeconds(600), "{\"ticketId\":\"T-1\"}"), "p");
        facts.add(event("e1", "ticket_opened", T0, "{\"ticketId\":\"T-1\"}"), "p");
        SummaryFacts.Ticket t = facts.tickets().iterator().next();
        assertThat(t.openedAt()).isEqualTo(T0);
        assertThat(t.resolvedAt()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void sumsRevenueInTheCurrencyOfMostOrdersWithoutCancelledOnes() {
        Summary s = Summary.of(Map.of(), List.of(), List.of(
                new Summary.Order(List.of("a"), new BigDecimal("100.00"), "RUB", "completed", T0),
                new Summary.Order(List.of("b"), new BigDecimal("50.00"), "RUB", "pending", T0),
                new Summary.Order(List.of("c"), new BigDecimal("999.00"), "RUB", "cancelled", T0),
                new Summary.Order(List.of("d"), new BigDecimal("10.00"), "EUR", "shipped", T0)),
                List.of(), List.of());
        assertThat(s.ordersCount()).isEqualTo(3);
        assertThat(s.currency()).isEqualTo("RUB");
        assertThat(s.revenue()).isEqualByComparingTo("150.00");
        assertThat(s.averageOrderValue()).isEqualByComparingTo("75.00");
        assertThat(s.revenueByCurrency()).containsEntry("EUR", new BigDecimal("10.00"));
        assertThat(s.purchases()).containsExactly("a", "b", "d");
        assertThat(s.pendingOrders()).containsExactly("b", "d");
    }
}

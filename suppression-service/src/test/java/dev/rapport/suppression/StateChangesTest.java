package dev.rapport.suppression;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.rapport.common.stream.StreamEvent;
import org.junit.jupiter.api.Test;

class StateChangesTest {

    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    final String p = profileId();

    static StateChanges of(List<SuppressionFixtures.Event> events) {
        StateChanges c = new StateChanges();
        events.forEach(e -> c.add(e.parsed()));
        return c;
    }

    @Test
    void theSameEventsInAnyOrderOrTwiceGiveTheSameRows() {
        List<SuppressionFixtures.Event> events = new ArrayList<>(List.of(
                event("order_placed", p, T).prop("orderId", "O-1").prop("productIds", List.of("a", "b")),
                event("order_status_changed", p, T.plusSeconds(60)).prop("orderId", "O-1").prop("status", "shipped"),
                event("order_status_changed", p, T.plusSeconds(120)).prop("orderId", "O-1").prop("status", "cancelled"),
                event("ticket_opened", p, T).prop("ticketId", "T-1"),
                event("ticket_resolved", p, T.plusSeconds(30)).prop("ticketId", "T-1"),
                event("unsubscribed", p, T).channel("email"),
                event("subscribed", p, T.plusSeconds(5)).channel("email"),
                event("logged_in", p, T.plusSeconds(1)).trait("timezone", "Asia/Omsk").id("email", "a@example.com")));
        StateChanges inOrder = of(events);
        List<SuppressionFixtures.Event> shuffled = new ArrayList<>(events);
        shuffled.addAll(events);
        Collections.shuffle(shuffled, new java.util.Random(42));
        StateChanges mixed = of(shuffled);
        assertThat(List.copyOf(mixed.purchases())).isEqualTo(List.copyOf(inOrder.purchases()));
        assertThat(List.copyOf(mixed.tickets())).isEqualTo(List.copyOf(inOrder.tickets()));
        assertThat(List.copyOf(mixed.consents())).isEqualTo(List.copyOf(inOrder.consents()));
        assertThat(List.copyOf(mixed.subjects())).isEqualTo(List.copyOf(inOrder.subjects()));
        StateChanges.PurchaseFact order = inOrder.purchases().iterator().next();
        assertThat(order.productIds()).containsExactly("a", "b");
        assertThat(order.status()).isEqualTo("cancelled");
        assertThat(order.cancelledAt()).isEqualTo(T.plusSeconds(120));
        assertThat(inOrder.consents().iterator().next().status()).isEqualTo(ConsentStatus.OPTED_IN);
        assertThat(inOrder.subjects().iterator().next().timezone()).isEqualTo("Asia/Omsk");
    }

    @Test
    void aHardBounceMarksTheAddressItNamesAndOneWithoutAddressMarksEvery() {
        StateChanges named = of(List.of(event("message_bounced", p, T).channel("email").id("email", "x@example.com")
                .prop("bounce", "hard")));
        assertThat(named.addressStatuses()).singleElement()
                .satisfies(s -> assertThat(s.value()).isEqualTo("x@example.com"))
                .satisfies(s -> assertThat(s.status()).isEqualTo(AddressStatus.BOUNCED));
        StateChanges unnamed = of(List.of(event("message_failed", p, T).channel("push").prop("error", "UNREGISTERED")));
        assertThat(unnamed.addressStatuses()).singleElement()
                .satisfies(s -> assertThat(s.value()).isNull())
                .satisfies(s -> assertThat(s.status()).isEqualTo(AddressStatus.UNREGISTERED));
        StateChanges blocked = of(List.of(event("message_failed", p, T).channel("messenger").id("telegramId", "42")
                .prop("reason", "bot_blocked")));
        assertThat(blocked.addressStatuses()).singleElement()
                .satisfies(s -> assertThat(s.status()).isEqualTo(AddressStatus.BLOCKED));
    }

    @Test
    void ignoresWhatSaysNothingToSuppress() {
        StateChanges c = of(List.of(event("ticket_opened", p, T), event("unsubscribed", p, T).prop("channel", "fax"),
                event("order_status_changed", p, T).prop("orderId", "O-9"),
                event("logged_in", p, T).trait("timezone", "Nowhere/Land")));
        assertThat(c.tickets()).isEmpty();
        assertThat(c.consents()).isEmpty();
        assertThat(c.purchases()).isEmpty();
        assertThat(c.subjects().iterator().next().timezone()).isNull();
    }

    @Test
    void anEmailOneClickUnsubscribeKeepsItsSourceAsEvidence() {
        StateChanges c = of(List.of(event("unsubscribed", p, T.plus(Duration.ofMinutes(1))).channel("email")
                .prop("source", "one-click (RFC 8058)")));
        assertThat(c.consentHistory()).singleElement().satisfies(k -> {
            assertThat(k.channel()).isEqualTo("email");
            assertThat(k.status()).isEqualTo(ConsentStatus.OPTED_OUT);
            assertThat(k.source()).isEqualTo("one-click (RFC 8058)");
        });
    }

    @Test
    void refusesStreamEntriesThatAreNotEvents() {
        assertThatThrownBy(() -> StreamEvent.parse("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamEvent.parse("{\"data\":{\"id\":\"e\"}}"))
                .hasMessageContaining("required");
        assertThatThrownBy(() -> StreamEvent.parse("{\"id\":\"e\",\"type\":\"x\",\"subject\":\"p\",\"time\":\"soon\"}"))
                .hasMessageContaining("ISO-8601");
    }
}

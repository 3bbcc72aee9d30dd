package dev.rapport.desk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The likely reasons for a call come from the events, name their evidence, are ranked and at most three. */
class LikelyReasonsTest {

    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    /** A Thursday afternoon in Moscow. */
    static final Instant NOW = Instant.parse("2026-12-10T12:00:00Z");

    static Happening h(String type, String channel, Duration ago, Map<String, Object> properties) {
        return new Happening("e-" + type + ago.toMinutes(), type, channel, NOW.minus(ago), properties);
    }

    @Test
    void anOpenTicketComesFirstThenTheOrderThatMovedThenRepeatedViewsWithTheirChannels() {
        List<Happening> recent = new ArrayList<>(List.of(
                h("order_status_changed", "web", Duration.ofDays(1), Map.of("orderId", "123", "status", "shipped")),
                h("page_viewed", "app", Duration.ofHours(30), Map.of("category", "car-insurance")),
                h("page_viewed", "web", Duration.ofHours(50), Map.of("category", "car-insurance")),
                h("page_viewed", "web", Duration.ofHours(70), Map.of("category", "car-insurance")),
                h("order_placed", "web", Duration.ofDays(5), Map.of("orderId", "123", "productIds", List.of("p-1")))));
        Ticket ticket = new Ticket("zendesk-9", "zendesk", "9", "p", "доставка", true, NOW.minus(Duration.ofDays(2)),
                NOW, null, null);

        List<LikelyReasons.Reason> reasons = LikelyReasons.of(recent, List.of(ticket), NOW, MOSCOW);

        assertThat(reasons).extracting(LikelyReasons.Reason::reason).containsExactly(
                "open ticket zendesk-9 about «доставка»", "order 123 shipped yesterday",
                "viewed car-insurance pages 3 times since Monday (app, web)");
        assertThat(reasons.get(0).evidence()).containsExactly("ticket opened on Tuesday (service_desk)");
        assertThat(reasons.get(2).evidence()).hasSize(3).allMatch(e -> e.startsWith("page_viewed"));
    }

    @Test
    void atMostThreeAndNothingInventedWithoutEvents() {
        assertThat(LikelyReasons.of(List.of(), List.of(), NOW, MOSCOW)).isEmpty();
        List<Happening> many = List.of(
                h("inbound_message", "sms", Duration.ofHours(2), Map.of("text", "где мой заказ?")),
                h("message_clicked", "email", Duration.ofHours(3), Map.of("campaignId", "winter")),
                h("order_placed", "app", Duration.ofDays(1), Map.of("orderId", "7")),
                h("product_viewed", "web", Duration.ofHours(5), Map.of("productId", "sku-1")),
                h("product_viewed", "web", Duration.ofHours(6), Map.of("productId", "sku-1")));
        List<LikelyReasons.Reason> reasons = LikelyReasons.of(many, List.of(), NOW, MOSCOW);
        assertThat(reasons).hasSize(3).extracting(LikelyReasons.Reason::reason).containsExactly(
                "wrote today on sms: «где мой заказ?»", "order 7 placed yesterday is still pending",
                "clicked campaign winter today in email");
    }

    @Test
    void eventsOlderThanTheWindowAndACompletedOrderGiveNoReason() {
        List<Happening> old = List.of(
                h("order_status_changed", "web", Duration.ofDays(1), Map.of("orderId", "5", "status", "completed")),
                h("order_placed", "web", Duration.ofDays(20), Map.of("orderId", "6")),
                h("page_viewed", "web", Duration.ofDays(9), Map.of("category", "loans")),
                h("page_viewed", "web", Duration.ofDays(10), Map.of("category", "loans")));
        assertThat(LikelyReasons.of(old, List.of(), NOW, MOSCOW)).isEmpty();
    }

    @Test
    void theAgentsPageHearsTheSameReasonsInRussianWithItsPluralsAndWeekdays() {
        List<Happening> recent = List.of(
                h("order_status_changed", "web", Duration.ofDays(1), Map.of("orderId", "123", "status", "shipped")),
                h("page_viewed", "app", Duration.ofHours(30), Map.of("category", "car-insurance")),
                h("page_viewed", "web", Duration.ofHours(50), Map.of("category", "car-insurance")),
                h("page_viewed", "web", Duration.ofHours(70), Map.of("category", "car-insurance")));
        Ticket ticket = new Ticket("zendesk-9", "zendesk", "9", "p", "доставка", true, NOW.minus(Duration.ofDays(2)),
                NOW, null, null);

        List<LikelyReasons.Reason> reasons = LikelyReasons.of(recent, List.of(ticket), NOW, MOSCOW,
                LikelyReasons.Words.RUSSIAN);

        assertThat(reasons).extracting(LikelyReasons.Reason::reason).containsExactly(
                "открыто обращение zendesk-9 «доставка»", "заказ 123 отправлен вчера",
                "смотрел(а) страницы «car-insurance» 3 раза с понедельника (приложение, сайт)");
        assertThat(reasons.get(0).evidence()).containsExactly("обращение открыто во вторник (служба поддержки)");
        assertThat(reasons.get(1).evidence()).containsExactly("статус заказа «отправлен» вчера (сайт)");

        List<Happening> older = List.of(
                h("inbound_message", "messenger", Duration.ofHours(2), Map.of("text", "где мой заказ?")),
                h("product_viewed", "store", Duration.ofDays(5), Map.of("productId", "sku-1")),
                h("product_viewed", "web", Duration.ofDays(6), Map.of("productId", "sku-1")));
        assertThat(LikelyReasons.of(older, List.of(), NOW, MOSCOW, LikelyReasons.Words.RUSSIAN))
                .extracting(LikelyReasons.Reason::reason).containsExactly(
                        "писал(а) сегодня (мессенджер): «где мой заказ?»", "смотрел(а) товар sku-1 2 раза за последние 7 дней (магазин, сайт)");
    }
}

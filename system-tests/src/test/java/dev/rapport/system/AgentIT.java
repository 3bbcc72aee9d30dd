package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The agent sees the whole customer, end to end: events from the web, the app, email and the desk reach
 * profile-service, and the bridge's agent context shows them (open ticket, recent marketing, pending order, the likely
 * reasons with their evidence); an outcome recorded by the agent becomes events, so suppression stops the declined
 * product's promotions on every channel and an accepted offer is a pending order.
 */
@ExtendWith(Suite.class)
class AgentIT {

    @Test
    void theAgentSeesTheCallerAcrossChannelsAndTheLikelyReasonWithItsEvidence() {
        String email = "agent-" + UUID.randomUUID() + "@example.com";
        String phone = phone(email);
        String order = "o-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        post(event("subscribed", "email", email, phone, now.minus(Duration.ofDays(3)), Map.of("channel", "all")));
        post(event("page_viewed", "web", email, phone, now.minus(Duration.ofHours(30)),
                Map.of("category", "car-insurance")));
        post(event("page_viewed", "app", email, phone, now.minus(Duration.ofHours(20)),
                Map.of("category", "car-insurance")));
        post(event("order_placed", "web", email, phone, now.minus(Duration.ofDays(2)),
                Map.of("orderId", order, "productIds", List.of("sku-kettle"), "amount", 1990, "currency", "RUB")));
        post(event("message_sent", "email", email, phone, now.minus(Duration.ofHours(5)),
                Map.of("messageId", "m-1", "campaignId", "winter")));
        post(event("message_clicked", "email", email, phone, now.minus(Duration.ofHours(4)),
                Map.of("messageId", "m-1", "campaignId", "winter")));
        post(event("ticket_opened", "service_desk", email, phone, now.minus(Duration.ofHours(1)),
                Map.of("ticketId", "generic-T-9", "subject", "доставка")));

        Await.until(() -> context("phone", phone).statusCode() == 200
                && context("phone", phone).jsonPath().getList("timeline").size() >= 5,
                "the events reached the context");
        JsonPath c = context("phone", "8 " + phone.substring(2)).jsonPath();
        assertThat(c.getList("timeline.channel", String.class)).contains("web", "email", "service_desk");
        assertThat(c.getList("recentMarketing.type", String.class)).contains("message_sent", "message_clicked");
        assertThat(c.getList("pendingOrders", String.class)).contains("sku-kettle");
        assertThat(c.getList("doNotOffer.product", String.class)).contains("sku-kettle");
        assertThat(c.getList("likelyReasons")).hasSizeBetween(1, 3);
        assertThat(c.getString("likelyReason")).contains("order " + order);
        assertThat(c.getList("likelyReasons.reason", String.class))
                .anyMatch(r -> r.contains("viewed car-insurance pages 2 times") && r.contains("web")
                        && r.contains("app"));
        assertThat(c.getMap("$")).containsEntry("nextBestAction", null);
        assertThat(c.getString("profile.identifiers.email[0]")).isEqualTo(email);

        context("phone", "12ab").then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("phone"));
        context("email", "nobody-" + UUID.randomUUID() + "@example.com").then().statusCode(404);
    }

    @Test
    void aDeclineRecordedByTheAgentStopsTheProductsPromotionsAndAnAcceptanceIsAPendingOrder() {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "agent-out-" + UUID.randomUUID() + "@example.com";
        String phone = phone(email);
        Instant now = Instant.now();
        post(event("subscribed", "email", email, phone, now.minus(Duration.ofDays(3)), Map.of("channel", "all")));
        post(event("product_viewed", "web", email, phone, now.minus(Duration.ofHours(2)),
                Map.of("productId", "car-insurance")));
        post(event("product_viewed", "app", email, phone, now.minus(Duration.ofHours(1)),
                Map.of("productId", "travel-insurance")));
        Await.until(() -> context("email", email).statusCode() == 200
                && context("email", email).jsonPath().getList("timeline").size() >= 2, "the views reached the context");
        String profile = context("email", email).jsonPath().getString("profile.id");

        JsonPath declined = outcome(Map.of("profileId", profile, "productId", "car-insurance", "outcome", "declined",
                "note", "Уже застрахован в другой компании")).then().statusCode(201).extract().jsonPath();
        assertThat(declined.getString("agent")).isEqualTo("agent");
        Await.until(() -> rules(profile, "sms", "car-insurance").contains("declined"), "declined everywhere");
        assertThat(rules(profile, "email", "car-insurance")).contains("declined");
        assertThat(rules(profile, "push", "travel-insurance")).doesNotContain("declined");

        outcome(Map.of("profileId", profile, "productId", "travel-insurance", "outcome", "accepted")).then()
                .statusCode(201);
        Await.until(() -> context("email", email).jsonPath().getList("pendingOrders", String.class)
                .contains("travel-insurance"), "accepted: a pending order");
        assertThat(context("email", email).jsonPath().getList("timeline.type", String.class))
                .contains("offer_declined", "offer_accepted", "order_placed");
        assertThat(context("email", email).jsonPath().getList("outcomes.outcome", String.class))
                .contains("declined", "accepted");

        outcome(Map.of("profileId", profile, "productId", "never-seen", "outcome", "declined")).then()
                .statusCode(422).body("errors[0].field", org.hamcrest.Matchers.equalTo("productId"));
        outcome(Map.of("profileId", "no-such-" + UUID.randomUUID(), "productId", "x", "outcome", "declined")).then()
                .statusCode(404);
        outcome(Map.of("profileId", profile, "outcome", "callback_requested", "note", "после 18:00")).then()
                .statusCode(201);
    }

    @Test
    void aSatisfactionRatingFromTheDeskIsOnTheCustomersTimeline() throws Exception {
        String email = "agent-csat-" + UUID.randomUUID() + "@example.com";
        String ticket = String.valueOf(Math.floorMod(email.hashCode(), 1_000_000_000));
        Instant at = Instant.now().minusSeconds(30);
        DeskPauseIT.zendesk("{\"id\":\"csat-" + ticket + "\",\"ticket\":{\"id\":\"" + ticket + "\","
                + "\"status\":\"solved\",\"subject\":\"Возврат\",\"updatedAt\":\"" + at + "\",\"requester\":"
                + "{\"email\":\"" + email + "\"}},\"satisfaction\":{\"score\":\"bad\"}}");
        Await.until(() -> context("email", email).statusCode() == 200 && context("email", email).jsonPath()
                .getList("timeline.type", String.class).contains("csat_submitted"), "the rating reached the profile");
        JsonPath c = context("email", email).jsonPath();
        assertThat(c.getString("timeline.find { it.type == 'csat_submitted' }.properties.score")).isEqualTo("bad");
        assertThat(c.getString("timeline.find { it.type == 'csat_submitted' }.properties.ticketId"))
                .isEqualTo("zendesk-" + ticket);
        assertThat(c.getString("timeline.find { it.type == 'csat_submitted' }.channel")).isEqualTo("service_desk");
        assertThat(c.getList("timeline.type", String.class)).contains("ticket_resolved");
    }

    private static RequestSpecification agent() {
        return given().port(Suite.port("service-desk-bridge")).auth().oauth2(TestTokens.user("agent"));
    }

    private static io.restassured.response.Response context(String by, String value) {
        return agent().queryParam(by, value).when().get("/api/v1/agent/context");
    }

    private static io.restassured.response.Response outcome(Map<String, Object> body) {
        return agent().contentType(ContentType.JSON).body(body).when().post("/api/v1/agent/outcomes");
    }

    private static List<String> rules(String profile, String channel, String product) {
        return given().port(Suite.port("suppression-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(Map.of("profileId", profile, "channel", channel, "purpose",
                        "marketing", "productIds", List.of(product)))
                .when().post("/api/v1/decisions").then().statusCode(200).extract().jsonPath()
                .getList("reasons.rule", String.class);
    }

    static String phone(String seed) {
        return "+7916" + String.format("%07d", 1_000_000 + Math.floorMod(seed.hashCode(), 8_999_999));
    }

    static Map<String, Object> event(String type, String channel, String email, String phone, Instant at,
            Map<String, Object> properties) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "agent-it-" + UUID.randomUUID());
        e.put("type", type);
        e.put("channel", channel);
        e.put("occurredAt", at.toString());
        e.put("identifiers", Map.of("email", email, "phone", phone));
        e.put("properties", properties);
        return e;
    }

    static void post(Map<String, Object> event) {
        given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(event).when().post("/api/v1/events").then().statusCode(202);
    }
}

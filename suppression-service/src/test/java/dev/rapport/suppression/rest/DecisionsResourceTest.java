package dev.rapport.suppression.rest;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static dev.rapport.suppression.rest.Api.decision;
import static dev.rapport.suppression.rest.Api.rules;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.testing.OversizedPost;
import dev.rapport.common.testing.TestTokens;
import dev.rapport.suppression.stream.EventStreamFixture;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** POST /api/v1/decisions against the real database, Redis and Keycloak, with state fed by the event stream. */
@QuarkusTest
class DecisionsResourceTest {

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;

    EventStreamFixture stream;

    @BeforeEach
    void setUp() {
        stream = new EventStreamFixture(redis, consumer);
        Api.policy(Map.of());
    }

    /** A person who logged in with email and phone and subscribed to everything. */
    String subscribedPerson() {
        String p = profileId();
        Instant t = Instant.now().minus(Duration.ofDays(10));
        stream.publish(event("logged_in", p, t).channel("web").id("email", "a@example.com").id("phone", "+79161234567"),
                event("subscribed", p, t).prop("channel", "all").prop("source", "sign-up form"));
        return p;
    }

    @Test
    void allowsWithNoReasonsAndAnswersTheApiShape() {
        String p = subscribedPerson();
        JsonPath d = decision(contact(p, "email", "marketing"));
        assertThat(d.getString("decision")).isEqualTo("allow");
        assertThat(d.getList("reasons")).isEmpty();
        assertThat(d.getMap("$")).as("retryAt is there, null").containsEntry("retryAt", null);
        assertThat(d.getString("profileId")).isEqualTo(p);
    }

    @Test
    void aRedisThatLostItsScriptsStillCountsContactPressure() {
        String p = subscribedPerson();
        redis.execute("SCRIPT", "FLUSH");
        Map<String, Object> c = contact(p, "email", "marketing");
        c.put("commit", true);
        JsonPath d = decision(c);
        assertThat(d.getString("decision")).as("the script is sent again, not the decision failed").isEqualTo("allow");
        assertThat(d.getList("reasons")).isEmpty();
    }

    @Test
    void deniesAnUnknownProfileAsUnreachableRatherThanFailing() {
        JsonPath d = decision(contact(profileId(), "email", "transactional"));
        assertThat(d.getString("decision")).isEqualTo("deny");
        assertThat(d.getList("reasons.rule", String.class)).containsExactly("unreachable");
    }

    @Test
    void pausesMarketingWhileATicketIsOpenAndResumesAfterResolutionAndGrace() {
        String p = subscribedPerson();
        Instant opened = Instant.now().minus(Duration.ofMinutes(30));
        var ticket = event("ticket_opened", p, opened).channel("service_desk").prop("ticketId", "T-" + p);
        stream.publish(ticket);
        JsonPath denied = decision(contact(p, "sms", "marketing"));
        assertThat(denied.getString("decision")).isEqualTo("deny");
        assertThat(denied.getList("reasons.rule", String.class)).containsExactly("open_ticket");
        assertThat(denied.getString("reasons[0].sourceEventId")).isEqualTo(ticket.id());
        assertThat(denied.getString("reasons[0].detail")).contains("T-" + p);
        assertThat(rules(contact(p, "email", "service"))).as("service messages still go").isEmpty();

        stream.publish(event("ticket_resolved", p, Instant.now().minus(Duration.ofMinutes(5))).prop("ticketId", "T-" + p));
        JsonPath grace = decision(contact(p, "email", "marketing"));
        assertThat(grace.getList("reasons.rule", String.class)).containsExactly("open_ticket");
        assertThat(Instant.parse(grace.getString("reasons[0].until")))
                .isAfter(Instant.now().plus(Duration.ofHours(23)));

        Api.policy(Map.of("ticketGracePeriod", "PT1M"));
        assertThat(rules(contact(p, "email", "marketing"))).as("resumed by itself after the grace period").isEmpty();
    }

    @Test
    void neverPromotesAProductOrderedEvenPendingUntilTheOrderIsCancelled() {
        String p = subscribedPerson();
        Map<String, Object> promo = contact(p, "email", "marketing");
        promo.put("productIds", List.of("hoop-42"));
        promo.put("campaignId", "c-9");
        stream.publish(event("order_placed", p, Instant.now().minus(Duration.ofHours(2))).channel("web")
                .prop("orderId", "O-" + p).prop("productIds", List.of("hoop-42")).prop("amount", 4990)
                .prop("currency", "RUB"));
        JsonPath d = decision(promo);
        assertThat(d.getList("reasons.rule", String.class)).containsExactly("purchased");
        assertThat(d.getString("reasons[0].detail")).contains("pending");
        Map<String, Object> other = contact(p, "email", "marketing");
        other.put("productIds", List.of("shoe-1"));
        assertThat(rules(other)).isEmpty();

        stream.publish(event("order_status_changed", p, Instant.now().minus(Duration.ofHours(1)))
                .prop("orderId", "O-" + p).prop("status", "cancelled"));
        assertThat(rules(promo)).isEmpty();
    }

    @Test
    void neverPromotesWhatThePersonJustDeclinedOnAnotherChannel() {
        String p = subscribedPerson();
        stream.publish(event("offer_declined", p, Instant.now().minus(Duration.ofMinutes(10))).channel("call_center")
                .prop("category", "basketball"));
        Map<String, Object> promo = contact(p, "sms", "marketing");
        promo.put("categories", List.of("basketball"));
        assertThat(rules(promo)).containsExactly("declined");
    }

    @Test
    void defersANightSmsToTheEndOfQuietHoursInThePersonsTimeZone() {
        String p = subscribedPerson();
        stream.publish(event("logged_in", p, Instant.now().minus(Duration.ofDays(1))).trait("timezone", "Asia/Tokyo"));
        java.time.ZonedDateTime local = Instant.now().atZone(java.time.ZoneId.of("Asia/Tokyo"));
        String start = local.minusHours(1).toLocalTime().withSecond(0).withNano(0).toString();
        String end = local.plusHours(1).toLocalTime().withSecond(0).withNano(0).toString();
        Api.policy(Map.of("quietHours", Map.of("start", start, "end", end, "channels", List.of("sms"))));
        JsonPath d = decision(contact(p, "sms", "marketing"));
        assertThat(d.getString("decision")).isEqualTo("defer");
        assertThat(d.getList("reasons.rule", String.class)).containsExactly("quiet_hours");
        Instant retryAt = Instant.parse(d.getString("retryAt"));
        assertThat(retryAt.atZone(java.time.ZoneId.of("Asia/Tokyo")).toLocalTime().toString()).isEqualTo(end);
        assertThat(decision(contact(p, "sms", "transactional")).getString("decision")).isEqualTo("allow");
    }

    @Test
    void aCommittedDecisionIsAuditedWithItsReasons() {
        String p = subscribedPerson();
        Map<String, Object> c = contact(p, "email", "marketing");
        c.put("commit", true);
        c.put("campaignId", "c-audit");
        assertThat(decision(c).getString("decision")).isEqualTo("allow");
        assertThat(decision(c).getList("reasons.rule", String.class)).as("the daily cap of 1 is taken")
                .containsExactly("frequency_cap");
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions").statusCode(200)
                .body("items.size()", equalTo(2))
                .body("items[0].decision", equalTo("defer"))
                .body("items[0].reasons[0].rule", equalTo("frequency_cap"))
                .body("items[0].campaignId", equalTo("c-audit"))
                .body("items[0].caller", equalTo("integrator"))
                .body("items[1].decision", equalTo("allow"));
        c.put("commit", false);
        decision(c);
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions").body("items.size()", equalTo(2));
    }

    @Test
    void aChannelsOwnCapCountsOnlyThatChannelAndTheGlobalOneCountsEvery() {
        Api.policy(Map.of("caps", List.of(Map.of("limit", 3, "days", 7), Map.of("channel", "sms", "limit", 1,
                "days", 7))));
        String p = subscribedPerson();
        Map<String, Object> sms = contact(p, "sms", "marketing");
        sms.put("commit", true);
        Map<String, Object> email = contact(p, "email", "marketing");
        email.put("commit", true);
        assertThat(decision(sms).getString("decision")).isEqualTo("allow");
        assertThat(decision(sms).getList("reasons.rule", String.class)).as("the SMS cap of 1 a week is taken")
                .containsExactly("frequency_cap");
        assertThat(decision(email).getString("decision")).as("email has no cap of its own").isEqualTo("allow");
        assertThat(decision(email).getString("decision")).as("the third message of the week").isEqualTo("allow");
        assertThat(decision(email).getList("reasons.rule", String.class)).as("3 a week on every channel")
                .containsExactly("frequency_cap");
    }

    @Test
    void refusesAnswersWithoutTokenOrRole() {
        Map<String, Object> body = contact(profileId(), "email", "marketing");
        given().contentType(ContentType.JSON).body(body).when().post("/api/v1/decisions").then().statusCode(401)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.user("agent")).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/decisions").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/decisions").then().statusCode(200);
    }

    @Test
    void namesEachBadFieldOfARequest() {
        Map<String, Object> bad = contact(" ", "fax", "spam");
        bad.put("topic", "no spaces please");
        bad.put("productIds", Collections.nCopies(101, "x"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(bad)
                .when().post("/api/v1/decisions").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("profileId", "channel", "purpose", "productIds", "topic"));
        Map<String, Object> missing = Map.of("profileId", "p-1");
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(missing)
                .when().post("/api/v1/decisions").then().statusCode(400)
                .body("errors.field", hasItems("channel", "purpose"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body("{\"profileId\":\"p\",\"channel\":\"email\",\"purpose\":\"marketing\",\"commit\":\"maybe\"}")
                .when().post("/api/v1/decisions").then().log().ifValidationFails().statusCode(400).body("errors.field", hasItem("commit"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body("{\"profileId\":\"p\",\"productIds\":\"hoop\"}")
                .when().post("/api/v1/decisions").then().statusCode(400).body("errors.field", hasItem("productIds"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body("{\"profileId\":")
                .when().post("/api/v1/decisions").then().statusCode(400).body("detail", containsString("JSON"));
        OversizedPost.Answer tooLarge = OversizedPost.post(io.restassured.RestAssured.port, "/api/v1/decisions",
                TestTokens.user("integrator"), "{\"profileId\":\"" + "x".repeat(1_100_000) + "\"}");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.head()).containsIgnoringCase("content-type: application/problem+json");
    }

    @Test
    void unknownFieldsAreIgnored() {
        Map<String, Object> body = contact(profileId(), "email", "transactional");
        body.put("colour", "blue");
        Api.decide(body).statusCode(200).body("decision", equalTo("deny"));
    }

    /** A person whose local time now is {@code hour}:00 to {@code hour}:30, opted in everywhere. */
    private String personAtLocal(int hour) {
        java.time.LocalTime utc = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        int minutes = (hour * 60 - (utc.getHour() * 60 + utc.getMinute()) + 24 * 60) % (24 * 60);
        if (minutes > 12 * 60) {
            minutes -= 24 * 60;
        }
        String zone = java.time.ZoneOffset.ofTotalSeconds(minutes * 60).getId();
        String p = profileId();
        Instant t = Instant.now().minus(Duration.ofDays(10));
        stream.publish(event("logged_in", p, t).channel("web").id("email", p + "@example.com")
                .id("phone", "+79161234567").trait("timezone", zone),
                event("subscribed", p, t).prop("channel", "all"));
        return p;
    }

    private static void dailyCapAndNightsQuiet() {
        Api.policy(Map.of("caps", List.of(Map.of("limit", 1, "days", 1)),
                "quietHours", Map.of("start", "21:00", "end", "09:00", "channels", List.of("sms", "push"))));
    }

    @Test
    void atElevenAtNightWithTheDailyCapReachedTheMessageIsHeldToNineWithBothReasons() {
        dailyCapAndNightsQuiet();
        String p = personAtLocal(23);
        Map<String, Object> email = contact(p, "email", "marketing");
        email.put("commit", true);
        assertThat(decision(email).getString("decision")).as("email has no quiet hours").isEqualTo("allow");
        JsonPath sms = decision(contact(p, "sms", "marketing"));
        assertThat(sms.getString("decision")).isEqualTo("defer");
        assertThat(sms.getList("reasons.rule", String.class)).containsExactly("frequency_cap", "quiet_hours");
        Instant retry = Instant.parse(sms.getString("retryAt"));
        assertThat(retry).isEqualTo(Instant.parse(sms.getString("reasons[1].until")));
        assertThat(retry).isAfter(Instant.parse(sms.getString("reasons[0].until")));
        assertThat(Duration.between(Instant.now(), retry)).isBetween(Duration.ofHours(9), Duration.ofHours(10));
        // a reason that never lifts by itself still denies
        stream.publish(event("unsubscribed", p, Instant.now().minus(Duration.ofMinutes(1))).channel("sms"));
        assertThat(decision(contact(p, "sms", "marketing")).getString("decision")).isEqualTo("deny");
    }

    @Test
    void aCapThatLiftsAtMidnightHoldsTheMessagePastTheNightToNine() {
        dailyCapAndNightsQuiet();
        String p = personAtLocal(20);
        Map<String, Object> email = contact(p, "email", "marketing");
        email.put("commit", true);
        decision(email);
        JsonPath sms = decision(contact(p, "sms", "marketing"));
        assertThat(sms.getString("decision")).isEqualTo("defer");
        assertThat(sms.getList("reasons.rule", String.class)).containsExactly("frequency_cap", "quiet_hours");
        assertThat(Duration.between(Instant.now(), Instant.parse(sms.getString("retryAt"))))
                .as("not at midnight, when it is night: at nine").isBetween(Duration.ofHours(12), Duration.ofHours(13));
    }
}

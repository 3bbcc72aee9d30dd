package dev.rapport.suppression.rest;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static dev.rapport.suppression.rest.Api.rules;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.testing.TestTokens;
import dev.rapport.suppression.stream.EventStreamFixture;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** A person's suppressions, consents, do-not-contact entry and audited decisions over REST. */
@QuarkusTest
class ProfilesResourceTest {

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

    String knownPerson() {
        String p = profileId();
        stream.publish(event("logged_in", p, Instant.now().minus(Duration.ofDays(2))).id("email", "k@example.com")
                .id("phone", "+79160000002"));
        return p;
    }

    static io.restassured.response.ValidatableResponse putConsent(String user, String p, Object body) {
        return given().auth().oauth2(TestTokens.user(user)).contentType(ContentType.JSON).body(body)
                .when().put("/api/v1/profiles/" + p + "/consents").then().log().ifValidationFails();
    }

    static io.restassured.response.ValidatableResponse putOnList(String user, String p, Object body) {
        return given().auth().oauth2(TestTokens.user(user)).contentType(ContentType.JSON).body(body)
                .when().put("/api/v1/profiles/" + p + "/do-not-contact").then().log().ifValidationFails();
    }

    @Test
    void aConsentIsARecordWithHistoryAndTheLatestStatementRules() {
        String p = knownPerson();
        assertThat(rules(contact(p, "email", "marketing"))).containsExactly("no_consent");
        Map<String, Object> optIn = new HashMap<>(Map.of("channel", "email", "status", "opted_in",
                "source", "web form 2026-12-01, IP 203.0.113.7"));
        JsonPath after = putConsent("integrator", p, optIn).statusCode(200).extract().jsonPath();
        assertThat(after.getString("consents[0].status")).isEqualTo("opted_in");
        assertThat(after.getString("history[0].recordedBy")).isEqualTo("integrator");
        assertThat(rules(contact(p, "email", "marketing"))).isEmpty();

        Map<String, Object> older = new HashMap<>(Map.of("channel", "email", "status", "opted_out", "source", "paper",
                "at", Instant.now().minus(Duration.ofDays(30)).toString()));
        putConsent("marketer", p, older).statusCode(200).body("history.size()", equalTo(2))
                .body("consents[0].status", equalTo("opted_in"));
        assertThat(rules(contact(p, "email", "marketing"))).as("an older statement does not win").isEmpty();

        putConsent("admin", p, Map.of("channel", "all", "topic", "promo", "status", "opted_out", "source", "call"))
                .statusCode(200);
        Map<String, Object> promo = contact(p, "email", "marketing");
        promo.put("topic", "promo");
        assertThat(rules(promo)).containsExactly("opted_out");
        Api.get("agent", "/api/v1/profiles/" + p + "/consents").statusCode(200).body("history.size()", equalTo(3))
                .body("consents.topic", hasItem("promo"));
    }

    @Test
    void aConsentRecordedBeforeAnyEventWaitsForThePersonToBeSeen() {
        String p = profileId();
        putConsent("integrator", p, Map.of("channel", "email", "status", "opted_in", "source", "CRM import"))
                .statusCode(200);
        assertThat(rules(contact(p, "email", "marketing"))).as("still unknown").containsExactly("unreachable");
        stream.publish(event("logged_in", p, Instant.now().minus(Duration.ofHours(1))).id("email", "n@example.com"));
        assertThat(rules(contact(p, "email", "marketing"))).as("seen, reachable, and the consent counts").isEmpty();
    }

    @Test
    void refusesABadConsentNamingTheFieldsAndRecordsNothing() {
        String p = knownPerson();
        putConsent("integrator", p, Map.of("channel", "fax", "topic", "no spaces", "status", "maybe"))
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("channel", "topic", "status", "source"));
        putConsent("integrator", p, Map.of("channel", "sms", "status", "opted_in", "source", "x",
                "at", Instant.now().plus(Duration.ofDays(1)).toString())).statusCode(400)
                .body("errors.field", hasItem("at"));
        putConsent("integrator", p, Map.of("channel", "sms", "status", "opted_in", "source", "s".repeat(300)))
                .statusCode(400).body("errors.field", hasItem("source"));
        putConsent("integrator", p, "[1,2]").statusCode(400);
        Api.get("integrator", "/api/v1/profiles/" + p + "/consents").statusCode(200).body("history.size()", equalTo(0));
        putConsent("agent", p, Map.of("channel", "sms", "status", "opted_in", "source", "x")).statusCode(403);
        given().contentType(ContentType.JSON).body(Map.of()).when().put("/api/v1/profiles/" + p + "/consents")
                .then().statusCode(401);
    }

    @Test
    void listsWhatIsInForceWithCauseAndEnd() {
        String p = knownPerson();
        var ticket = event("ticket_opened", p, Instant.now().minus(Duration.ofHours(1))).prop("ticketId", "T-s");
        stream.publish(ticket, event("order_placed", p, Instant.now().minus(Duration.ofHours(3))).prop("orderId", "O-s")
                .prop("productId", "hoop-42"));
        JsonPath in = Api.get("agent", "/api/v1/profiles/" + p + "/suppressions").statusCode(200).extract().jsonPath();
        List<Map<String, Object>> items = in.getList("items");
        Map<String, Object> open = items.stream().filter(i -> i.get("rule").equals("open_ticket")).findFirst()
                .orElseThrow();
        assertThat(open.get("sourceEventId")).isEqualTo(ticket.id());
        assertThat(open.get("until")).isNull();
        Map<String, Object> bought = items.stream().filter(i -> i.get("rule").equals("purchased")).findFirst()
                .orElseThrow();
        assertThat((String) bought.get("scope")).contains("hoop-42");
        assertThat(Instant.parse((String) bought.get("until"))).isAfter(Instant.now().plus(Duration.ofDays(29)));
        assertThat(in.getList("items.rule", String.class)).contains("no_consent", "unreachable");
    }

    @Test
    void showsACapReachedAmongTheSuppressions() {
        String p = knownPerson();
        putConsent("integrator", p, Map.of("channel", "all", "status", "opted_in", "source", "form")).statusCode(200);
        Map<String, Object> commit = contact(p, "email", "marketing");
        commit.put("commit", true);
        assertThat(Api.decision(commit).getString("decision")).isEqualTo("allow");
        Api.get("marketer", "/api/v1/profiles/" + p + "/suppressions").statusCode(200)
                .body("items.rule", hasItem("frequency_cap"));
    }

    @Test
    void aPersonPutOnTheListBeforeAnyOfTheirEventsIsDeniedForBothReasons() {
        String p = profileId();
        putOnList("agent", p, Map.of("reason", "asked in the store", "source", "store 12")).statusCode(204);
        assertThat(rules(contact(p, "email", "marketing"))).containsExactly("unreachable", "do_not_contact");
        assertThat(rules(contact(p, "email", "transactional"))).containsExactly("unreachable");
    }

    @Test
    void theDoNotContactListHoldsBackMarketingAndServiceUntilRemoved() {
        String p = knownPerson();
        putOnList("agent", p, Map.of("reason", "asked on the phone", "source", "call 2026-12-03")).statusCode(204);
        assertThat(rules(contact(p, "email", "service"))).containsExactly("do_not_contact");
        assertThat(rules(contact(p, "email", "transactional"))).isEmpty();
        given().auth().oauth2(TestTokens.user("agent")).when().delete("/api/v1/profiles/" + p + "/do-not-contact")
                .then().statusCode(403);
        given().auth().oauth2(TestTokens.user("marketer")).when().delete("/api/v1/profiles/" + p + "/do-not-contact")
                .then().statusCode(204);
        given().auth().oauth2(TestTokens.user("marketer")).when().delete("/api/v1/profiles/" + p + "/do-not-contact")
                .then().statusCode(404).body("reason", equalTo("not_on_list"));
        assertThat(rules(contact(p, "email", "service"))).isEmpty();
        putOnList("agent", p, Map.of("reason", "")).statusCode(400).body("errors.field", hasItems("reason", "source"));
    }

    @Test
    void aStatementForAnErasedPersonIsRefusedAndOneForAMergedAwayIdFollowsTheMerge() {
        String erased = knownPerson();
        stream.publish(event("profile_erased", erased, Instant.now()).prop("profileId", erased)
                .prop("mergedIds", java.util.List.of()));
        putConsent("integrator", erased, Map.of("channel", "sms", "status", "opted_in", "source", "a form"))
                .statusCode(404).body("reason", equalTo("profile_erased"));
        putOnList("agent", erased, Map.of("reason", "complaint", "source", "call")).statusCode(404)
                .body("reason", equalTo("profile_erased"));
        Api.get("admin", "/api/v1/profiles/" + erased + "/consents").statusCode(200).body("history.size()", equalTo(0));

        // merged away before this service saw anything of the merged id
        String survivor = knownPerson();
        String merged = profileId();
        stream.publish(event("profile_merged", survivor, Instant.now()).prop("survivorId", survivor)
                .prop("mergedId", merged));
        putConsent("integrator", merged, Map.of("channel", "sms", "status", "opted_out", "source", "a form"))
                .statusCode(200).body("profileId", equalTo(survivor));
        assertThat(Api.rules(Api.contact(survivor, "sms", "service"))).containsExactly("opted_out");
        putOnList("agent", merged, Map.of("reason", "complaint", "source", "call")).statusCode(204);
        assertThat(Api.rules(Api.contact(survivor, "email", "service"))).containsExactly("do_not_contact");
    }

    @Test
    void pagesTheAuditNewestFirst() {
        String p = knownPerson();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> c = contact(p, "sms", "transactional");
            c.put("commit", true);
            c.put("campaignId", "c-" + i);
            Api.decision(c);
        }
        JsonPath first = Api.get("agent", "/api/v1/profiles/" + p + "/decisions?limit=3").statusCode(200).extract()
                .jsonPath();
        assertThat(first.getList("items.campaignId", String.class)).containsExactly("c-4", "c-3", "c-2");
        String cursor = first.getString("nextCursor");
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions?limit=3&cursor=" + cursor).statusCode(200)
                .body("items.campaignId", org.hamcrest.Matchers.contains("c-1", "c-0"))
                .body("nextCursor", nullValue());
        // a last page that is exactly full ends the list too: no cursor to an empty page
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions?limit=5").statusCode(200)
                .body("items", hasSize(5)).body("nextCursor", nullValue());
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions?limit=4").statusCode(200)
                .body("items", hasSize(4)).body("nextCursor", notNullValue());
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions?limit=0").statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions?cursor=abc").statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
        Api.get("nobody", "/api/v1/profiles/" + p + "/decisions").statusCode(403);
        given().when().get("/api/v1/profiles/" + p + "/suppressions").then().statusCode(401);
        Api.get("nobody", "/api/v1/profiles/" + p + "/suppressions").statusCode(403);
        Api.get("integrator", "/api/v1/profiles/" + "x".repeat(200) + "/suppressions").statusCode(400)
                .body("errors[0].field", equalTo("id"));
    }
}

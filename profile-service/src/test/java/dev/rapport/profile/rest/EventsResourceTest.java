package dev.rapport.profile.rest;

import static dev.rapport.profile.ProfileFixtures.batch;
import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static dev.rapport.profile.ProfileFixtures.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.testing.OversizedPost;
import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.ProfileFixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class EventsResourceTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @Inject
    AgroalDataSource db;

    private static ValidatableResponse post(Object body) {
        return given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/events").then();
    }

    @Test
    void acceptsOneEventAndCreatesItsProfile() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email());
        String profile = post(e).statusCode(202)
                .body("accepted", hasSize(1))
                .body("accepted[0].id", equalTo(e.get("id")))
                .body("accepted[0].duplicate", equalTo(false))
                .body("accepted[0].profileId", notNullValue())
                .body("rejected", hasSize(0))
                .extract().path("accepted[0].profileId");
        assertThat(count("SELECT count(*) FROM event WHERE id = ? AND profile_id = ?", e.get("id"), profile)).isEqualTo(1);
    }

    @Test
    void storesTheValidEventsOfABatchAndRejectsTheOthersByIndex() {
        Map<String, Object> good1 = event("page_viewed", NOW, "anonymousId", ProfileFixtures.id("cookie"));
        Map<String, Object> bad = with(event("page_viewed", NOW, "email", email()), "occurredAt", null);
        Map<String, Object> good2 = event("page_viewed", NOW, "email", email());
        post(batch(List.of(good1, bad, good2))).statusCode(202)
                .body("accepted.id", equalTo(List.of(good1.get("id"), good2.get("id"))))
                .body("rejected", hasSize(1))
                .body("rejected[0].index", equalTo(1))
                .body("rejected[0].id", equalTo(bad.get("id")))
                .body("rejected[0].errors[0].field", equalTo("occurredAt"))
                .body("rejected[0].errors[0].message", equalTo("is required"));
        assertThat(count("SELECT count(*) FROM event WHERE id = ?", bad.get("id"))).isZero();
        assertThat(count("SELECT count(*) FROM event WHERE id IN (?, ?)", good1.get("id"), good2.get("id"))).isEqualTo(2);
    }

    @Test
    void storesAnIdOnceAndReportsItsRepeatsAsDuplicates() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email());
        String profile = post(e).statusCode(202).body("accepted[0].duplicate", equalTo(false))
                .extract().path("accepted[0].profileId");
        post(batch(List.of(e, e))).statusCode(202)
                .body("accepted.duplicate", equalTo(List.of(true, true)))
                .body("accepted.profileId", equalTo(List.of(profile, profile)));
        Map<String, Object> fresh = event("product_viewed", NOW, "email", email());
        post(batch(List.of(fresh, fresh))).statusCode(202).body("accepted.duplicate", equalTo(List.of(false, true)));
        assertThat(count("SELECT count(*) FROM event WHERE id = ?", e.get("id"))).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM outbox o JOIN event e ON e.id = o.event_id WHERE e.id = ?", fresh.get("id")))
                .isLessThanOrEqualTo(1);
    }

    @Test
    void ignoresUnknownFieldsAndUnknownIdentifierKinds() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email(), "shoeSize", "44");
        e.put("colour", "green");
        post(e).statusCode(202).body("accepted", hasSize(1));
    }

    @Test
    void refusesAnEventWithoutIdTypeTimeOrIdentifierNamingTheField() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email());
        expectInvalid(with(e, "id", null), "id", "is required");
        expectInvalid(with(e, "type", null), "type", "is required");
        expectInvalid(with(e, "occurredAt", null), "occurredAt", "is required");
        expectInvalid(with(e, "identifiers", null), "identifiers", "must hold at least one known identifier");
        expectInvalid(with(e, "identifiers", Map.of()), "identifiers", "must hold at least one known identifier");
        expectInvalid(with(e, "identifiers", Map.of("shoeSize", "44")), "identifiers",
                "must hold at least one known identifier");
    }

    @Test
    void refusesMalformedEmailsPhonesTimesAndChannels() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email());
        expectInvalid(with(e, "identifiers", Map.of("email", "ivan@@example")), "identifiers.email",
                "is not a valid email address");
        expectInvalid(with(e, "identifiers", Map.of("phone", "call me")), "identifiers.phone", "is not a phone number");
        expectInvalid(with(e, "identifiers", Map.of("phone", "+7 000 000-00-00")), "identifiers.phone",
                "is not a valid phone number");
        expectInvalid(with(e, "occurredAt", "2026-11-20 10:15"), "occurredAt", "must be an ISO-8601 time with offset");
        expectInvalid(with(e, "occurredAt", "2026-11-20T10:15:00"), "occurredAt", "must be an ISO-8601 time with offset");
        expectInvalid(with(e, "occurredAt", ProfileFixtures.at(Instant.now().plus(2, ChronoUnit.DAYS))), "occurredAt",
                "in the future");
        expectInvalid(with(e, "channel", "fax"), "channel", "must be one of web, app, email");
        expectInvalid(with(e, "type", "Order Placed!"), "type", "must be lower-case");
        expectInvalid(with(e, "type", "profile_merged"), "type", "recorded by Rapport itself");
        expectInvalid(with(e, "id", "x".repeat(129)), "id", "at most 128");
    }

    @Test
    void refusesFieldsOfTheWrongType() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email());
        expectInvalid(with(e, "id", 42), "id", "must be a string");
        expectInvalid(with(e, "occurredAt", 1_700_000_000), "occurredAt", "must be a string");
        expectInvalid(with(e, "identifiers", "ivan@example.com"), "identifiers", "must be an object");
        expectInvalid(with(e, "identifiers", Map.of("email", 42)), "identifiers.email", "must be a string");
        expectInvalid(with(e, "traits", List.of("a")), "traits", "must be an object");
        expectInvalid(with(e, "properties", "x"), "properties", "must be an object");
    }

    @Test
    void refusesABatchWithNoValidEventNamingEachField() {
        Map<String, Object> bad1 = with(event("product_viewed", NOW, "email", email()), "type", null);
        Map<String, Object> bad2 = with(event("product_viewed", NOW, "email", "nope"), "id", null);
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(batch(List.of(bad1, bad2)))
                .when().post("/api/v1/events").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("events[0].type"))
                .body("errors.field", hasItem("events[1].id"))
                .body("errors.field", hasItem("events[1].identifiers.email"));
        assertThat(count("SELECT count(*) FROM event WHERE id = ?", bad1.get("id"))).isZero();
    }

    @Test
    void refusesBatchesThatAreEmptyNotArraysOrOverAThousand() {
        expectInvalid(Map.of("events", List.of()), "events", "at least one event");
        expectInvalid(Map.of("events", "all of them"), "events", "must be an array");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add(event("page_viewed", NOW, "anonymousId", "c-" + i));
        }
        expectInvalid(batch(many), "events", "at most 1000");
        assertThat(count("SELECT count(*) FROM event WHERE id = ?", many.get(0).get("id"))).isZero();
    }

    @Test
    void refusesBodiesThatAreNotJsonEventsOrTooLarge() {
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body("{\"id\": \"e1\", ")
                .when().post("/api/v1/events").then().statusCode(400)
                .contentType("application/problem+json")
                .body("reason", equalTo("malformed_json"))
                .body("errors[0].field", equalTo("body"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body("[1, 2]")
                .when().post("/api/v1/events").then().statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body("")
                .when().post("/api/v1/events").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("body"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.TEXT).body("hello")
                .when().post("/api/v1/events").then().statusCode(415)
                .contentType("application/problem+json");
        String huge = "{\"id\":\"big\",\"type\":\"page_viewed\",\"occurredAt\":\"2026-11-20T10:15:00+03:00\","
                + "\"identifiers\":{\"anonymousId\":\"c\"},\"properties\":{\"blob\":\"" + "x".repeat(1_100_000) + "\"}}";
        OversizedPost.Answer tooLarge = OversizedPost.post(io.restassured.RestAssured.port, "/api/v1/events",
                TestTokens.user("integrator"), huge);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.head()).containsIgnoringCase("content-type: application/problem+json");
        assertThat(tooLarge.body()).contains("\"status\":413");
        assertThat(count("SELECT count(*) FROM event WHERE id = ?", "big")).isZero();
    }

    @Test
    void needsATokenWithTheIntegratorRole() {
        Map<String, Object> e = event("product_viewed", NOW, "email", email());
        given().contentType(ContentType.JSON).body(e).when().post("/api/v1/events").then().statusCode(401)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body(e)
                .when().post("/api/v1/events").then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.user("agent")).contentType(ContentType.JSON).body(e)
                .when().post("/api/v1/events").then().statusCode(403);
        assertThat(count("SELECT count(*) FROM event WHERE id = ?", e.get("id"))).isZero();
        given().auth().oauth2(TestTokens.user("admin")).contentType(ContentType.JSON).body(e)
                .when().post("/api/v1/events").then().statusCode(202);
    }

    private static void expectInvalid(Object body, String field, String message) {
        post(body).statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors.field", hasItem(field))
                .body("detail", containsString(""))
                .body("errors.find { it.field == '" + field + "' }.message", containsString(message));
    }

    private long count(String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void nobodyCanTakeTheIdOfAnErasureOrAMergeSoErasureCanNeverBeBlocked() {
        String mail = email();
        String profile = Api.record(event("signed_up", Instant.now().minusSeconds(60), "email", mail));
        for (String taken : List.of(EventTypes.erasedEventId(profile), EventTypes.mergedEventId(profile))) {
            given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                    .body(ProfileFixtures.with(event("page_viewed", Instant.now().minusSeconds(30), "email", mail),
                            "id", taken))
                    .when().post("/api/v1/events").then().statusCode(400)
                    .body("errors[0].field", equalTo("id"))
                    .body("errors[0].message", org.hamcrest.Matchers.startsWith("must not start with 'rapport:'"));
        }
        // the ids Rapport used to give its own events are ordinary ids now: they block nothing
        Api.record(ProfileFixtures.with(event("page_viewed", Instant.now().minusSeconds(20), "email", mail), "id",
                "erased-" + profile));
        given().auth().oauth2(TestTokens.user("admin")).when().delete("/api/v1/profiles/" + profile).then()
                .statusCode(204);
    }
}

package dev.rapport.channel.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.OversizedPost;
import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * The send API refuses what it cannot send before it asks anyone or stores anything: no token or the wrong role, a
 * malformed or oversized body, a field missing or malformed (each named), an address that is not one on its channel,
 * content that breaks the channel's rules (422 naming the rule: an email without subject, an SMS of too many parts, a
 * push over FCM's payload limit, a messenger text over Telegram's), and it answers 503 when profile-service cannot
 * say who the person is. Nothing is stored for any of them. (Sending for real is tested across the suite: MessagesIT.)
 */
@QuarkusTest
class MessagesResourceTest {

    @Inject
    AgroalDataSource db;

    @Test
    void sendingNeedsAnIntegratorsToken() {
        given().contentType(ContentType.JSON).body(sms("Привет")).when().post("/api/v1/messages").then()
                .statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body(sms("Привет")).when()
                .post("/api/v1/messages").then().statusCode(403);
        given().auth().oauth2(TestTokens.user("agent")).when().get("/api/v1/messages/m-1").then().statusCode(403);
    }

    @Test
    void everyMissingOrMalformedFieldIsNamedAndNothingIsStored() throws SQLException {
        long before = messages();
        Map<String, Object> bad = new HashMap<>();
        bad.put("channel", "fax");
        bad.put("purpose", "spam");
        bad.put("content", Map.of("text", "x"));
        bad.put("productIds", List.of("ok", "bad\u0000id"));
        bad.put("expiresAt", Instant.now().minusSeconds(60).toString());
        List<String> fields = send(bad).statusCode(400).contentType("application/problem+json").extract().jsonPath()
                .getList("errors.field", String.class);
        assertThat(fields).contains("id", "profileId", "channel", "purpose", "productIds[1]", "expiresAt");

        send(with(sms("x"), "content", null)).statusCode(400).body("errors.field", hasItem("content"));
        send(sms("Код\u0000 1234")).statusCode(400).body("errors.field", hasItem("content.text"));
        send(with(sms("x"), "to", "12ab")).statusCode(400).body("errors.field", hasItem("to"));
        send(with(with(sms("x"), "channel", "email"), "to", "not-an-email")).statusCode(400)
                .body("errors[0].message", containsString("email"));
        send(with(with(sms("x"), "channel", "push"), "to", "x")).statusCode(400).body("errors.field", hasItem("to"));
        send(with(with(sms("x"), "channel", "messenger"), "to", "12345")).statusCode(400)
                .body("errors[0].message", containsString("telegram:"));
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body("{\"id\":")
                .when().post("/api/v1/messages").then().statusCode(400).contentType("application/problem+json");
        OversizedPost.Answer huge = OversizedPost.post(io.restassured.RestAssured.port, "/api/v1/messages",
                TestTokens.user("integrator"), "{\"id\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.head()).contains("application/problem+json");
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void contentThatBreaksAChannelsRuleIsRefusedNamingTheRule() throws SQLException {
        long before = messages();
        send(email(null, "<p>Привет</p>")).statusCode(422).body("reason", equalTo("channel_rule"))
                .body("errors[0].message", containsString("subject"));
        send(email("Line\nbreak", "text")).statusCode(422).body("reason", equalTo("channel_rule"));
        // Cyrillic is UCS-2: 67 characters a part, so 671 of them take 11 parts, one more than allowed
        send(sms("П".repeat(671))).statusCode(422).body("reason", equalTo("channel_rule"))
                .body("errors[0].message", containsString("11 SMS parts in UCS-2"));
        Map<String, Object> push = with(with(sms(null), "channel", "push"), "content", Map.of("title", "Скидка",
                "data", Map.of("blob", "x".repeat(5000))));
        send(push).statusCode(422).body("errors[0].message", containsString("4096 bytes"));
        send(with(with(sms(null), "channel", "push"), "content", Map.of("data", Map.of("k", "v")))).statusCode(422)
                .body("errors[0].message", containsString("title or a body"));
        send(with(with(sms("я".repeat(4097)), "channel", "messenger"), "to", "telegram:12345")).statusCode(422)
                .body("errors[0].message", containsString("4096"));
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void aValidMessageWaitsForProfileServiceAndIsNotStoredWhileItCannotAnswer() throws SQLException {
        long before = messages();
        send(email("Заказ 123", "Ваш заказ 123 передан в доставку")).statusCode(503)
                .contentType("application/problem+json");
        // push has its provider (FCM, the stand-in): it waits for profile-service too
        send(with(with(sms(null), "channel", "push"), "content", Map.of("title", "Заказ 123", "body", "в пути")))
                .statusCode(503).contentType("application/problem+json");
        assertThat(messages()).isEqualTo(before);
        given().auth().oauth2(TestTokens.user("integrator")).when().get("/api/v1/messages/no-such-" + UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json");
    }

    private static ValidatableResponse send(Map<String, Object> body) {
        return given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(body).when()
                .post("/api/v1/messages").then();
    }

    private static Map<String, Object> sms(String text) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", "m-" + UUID.randomUUID());
        m.put("profileId", "p-" + UUID.randomUUID());
        m.put("channel", "sms");
        m.put("purpose", "transactional");
        Map<String, Object> content = new HashMap<>();
        content.put("text", text);
        m.put("content", content);
        return m;
    }

    private static Map<String, Object> email(String subject, String html) {
        Map<String, Object> content = new HashMap<>();
        content.put("subject", subject);
        content.put("html", html);
        return with(with(sms(null), "channel", "email"), "content", content);
    }

    private static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        Map<String, Object> out = new HashMap<>(m);
        out.put(key, value);
        return out;
    }

    private long messages() throws SQLException {
        try (Connection c = db.getConnection(); ResultSet r = c.createStatement()
                .executeQuery("SELECT count(*) FROM message")) {
            r.next();
            return r.getLong(1);
        }
    }
}

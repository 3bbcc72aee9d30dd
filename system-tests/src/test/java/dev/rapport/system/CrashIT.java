package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;

/**
 * What a crash between the provider call and its record does, per purpose (docs/adr/0012): channel-gateway is killed
 * (SIGKILL, no shutdown) while Twilio holds two of its SMS, one marketing and one transactional, that Twilio goes on
 * to accept. Restarted, the gateway finds both interrupted once their lease ran out: the marketing one ends as failed
 * and is never sent again (at most once: a second promotion is worse than none), the transactional one is sent again
 * (at least once: a second order update is better than none).
 */
@ExtendWith(Suite.class)
class CrashIT {

    @AfterEach
    void letTwilioGo() {
        given().baseUri(Suite.stubs()).when().delete("/_hold/twilio").then().statusCode(200);
    }

    @Test
    void aGatewayKilledInTheMiddleOfAHandOffSendsMarketingAtMostOnceAndTransactionalAtLeastOnce() throws Exception {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "crash-" + UUID.randomUUID() + "@example.com";
        String phone = AgentIT.phone(email);
        String profile = OptOutIT.person(email, phone);
        Await.until(() -> OptOutIT.rules(profile, "sms").isEmpty(), "marketing SMS allowed");

        given().baseUri(Suite.stubs()).when().post("/_hold/twilio").then().statusCode(200);
        String promo = "crash-promo-" + UUID.randomUUID();
        String code = "crash-code-" + UUID.randomUUID();
        send(promo, profile, "marketing", "Скидка 20 % на мячи до воскресенья");
        send(code, profile, "transactional", "Ваш код 4821");
        Await.until(() -> given().baseUri(Suite.stubs()).when().get("/_hold/twilio").then().extract()
                .<Integer>path("held") >= 2, "both in Twilio's hands");
        assertThat(status(promo)).as(text("SELECT string_agg(status || ': ' || detail, ' | ' ORDER BY seq) FROM "
                + "message_status WHERE message_id = ?", promo)).isEqualTo("sending");
        assertThat(status(code)).as(text("SELECT string_agg(status || ': ' || detail, ' | ' ORDER BY seq) FROM "
                + "message_status WHERE message_id = ?", code)).isEqualTo("sending");

        ProcessHandle gateway = Suite.process("channel-gateway");
        assertThat(gateway.destroyForcibly()).isTrue();
        gateway.onExit().get(30, TimeUnit.SECONDS);
        // Twilio accepts what it held: the gateway never hears of it
        given().baseUri(Suite.stubs()).when().delete("/_hold/twilio").then().statusCode(200);
        Await.until(() -> accepted(phone) >= 2, "Twilio accepted both");
        // the leases run out (fast-forwarded: their length is the same either way)
        try (Connection c = ReplicasIT.connect("rapport_channel_it"); PreparedStatement s = c.prepareStatement(
                "UPDATE message SET lease_until = now() - interval '1 second' WHERE id IN (?, ?)")) {
            s.setString(1, promo);
            s.setString(2, code);
            assertThat(s.executeUpdate()).isEqualTo(2);
        }

        Suite.restart();
        Await.until(() -> "failed".equals(status(promo)) && "sent".equals(status(code)), "looked at again");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", promo)).isEqualTo("interrupted");
        assertThat(given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user("integrator")).when()
                .get("/api/v1/messages/" + promo).then().statusCode(200).extract().jsonPath()
                .getList("history.detail", String.class)).anyMatch(d -> d.contains("at most once"));
        // the promotion went once (before the crash); the code twice, once more after the restart
        Await.until(() -> accepted(phone) >= 3, "the code handed off again");
        assertThat(bodies(phone)).filteredOn(b -> b.startsWith("Скидка")).hasSize(1);
        assertThat(bodies(phone)).filteredOn(b -> b.startsWith("Ваш код")).hasSize(2);
    }

    @Test
    void anUnansweredHandOffIsNotRepeatedForMarketingButIsForTransactional() throws Exception {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "unanswered-" + UUID.randomUUID() + "@example.com";
        String phone = AgentIT.phone(email);
        String profile = OptOutIT.person(email, phone);
        Await.until(() -> OptOutIT.rules(profile, "sms").isEmpty(), "marketing SMS allowed");

        given().baseUri(Suite.stubs()).when().post("/_hold/twilio").then().statusCode(200);
        String promo = "unanswered-promo-" + UUID.randomUUID();
        String code = "unanswered-code-" + UUID.randomUUID();
        send(promo, profile, "marketing", "Скидка 20 % на мячи до воскресенья");
        send(code, profile, "transactional", "Ваш код 4821");
        // Twilio answers neither within the gateway's provider timeout (4 s in the suite)
        Await.until(() -> "failed".equals(status(promo)), "the unanswered promotion given up");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", promo)).isEqualTo("unanswered");
        Await.until(() -> text("SELECT attempts FROM message WHERE id = ?", code).compareTo("2") >= 0,
                "the unanswered code handed off again");
        given().baseUri(Suite.stubs()).when().delete("/_hold/twilio").then().statusCode(200);
        Await.until(() -> "sent".equals(status(code)), "sent once Twilio answers");
        Thread.sleep(500);
        assertThat(bodies(phone)).filteredOn(b -> b.startsWith("Скидка")).as("Twilio took the first and only one")
                .hasSize(1);
        assertThat(bodies(phone)).filteredOn(b -> b.startsWith("Ваш код")).hasSizeGreaterThanOrEqualTo(2);
    }

    private static void send(String id, String profile, String purpose, String text) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("profileId", profile);
        m.put("channel", "sms");
        m.put("purpose", purpose);
        m.put("content", Map.of("text", text));
        given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(m).when().post("/api/v1/messages").then().statusCode(202);
    }

    /** The texts Twilio accepted for the number. */
    private static List<String> bodies(String phone) {
        return given().baseUri(Suite.stubs()).when().get("/_received/twilio").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.status == 201 && it.body.To == '" + phone + "' }.body.Body",
                        String.class);
    }

    private static int accepted(String phone) {
        return bodies(phone).size();
    }

    /** The status as stored (the API's answer needs the gateway, which is down for part of the test). */
    private static String status(String id) throws SQLException {
        return text("SELECT status FROM message WHERE id = ?", id);
    }

    private static String text(String sql, String id) throws SQLException {
        try (Connection c = ReplicasIT.connect("rapport_channel_it"); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}

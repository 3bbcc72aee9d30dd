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
import io.restassured.response.ValidatableResponse;

/**
 * Sending across the suite: a transactional email to a person known to profile-service goes to the address on the
 * profile, through real SMTP (GreenMail), once however often the caller repeats it; its status history says queued
 * then sent, and its event reaches the person's timeline with the campaign; the same id with other content is a
 * conflict; a marketing message to a person who never consented is refused with suppression's rule and not stored.
 */
@ExtendWith(Suite.class)
class MessagesIT {

    @Test
    void aTransactionalEmailGoesOnceToTheProfilesAddressAndItsEventReachesTheTimeline() {
        String email = "mail-" + UUID.randomUUID() + "@example.com";
        String profile = person(email);
        String id = "order-update-" + UUID.randomUUID();
        Map<String, Object> message = email(id, profile, "transactional", "Заказ 123 передан в доставку");

        JsonPath first = send(message).statusCode(202).extract().jsonPath();
        assertThat(first.getString("messageId")).isEqualTo(id);
        assertThat(first.getString("status")).isEqualTo("queued");
        // the caller retries: the first answer, and still one message
        assertThat(send(message).statusCode(202).extract().jsonPath().getString("status")).isEqualTo("queued");

        Await.until(() -> "sent".equals(status(id)), "handed to SMTP");
        JsonPath sent = message(id);
        assertThat(sent.getString("provider")).isEqualTo("smtp");
        assertThat(sent.getList("history.status", String.class)).containsExactly("queued", "sent");
        List<Map<String, Object>> inbox = inbox(email);
        assertThat(inbox).hasSize(1);
        assertThat(String.valueOf(inbox.get(0).get("subject"))).isEqualTo("Заказ 123 передан в доставку");

        Await.until(() -> timeline(profile).contains("message_sent"), "the event on the timeline");
        JsonPath events = given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .when().get("/api/v1/profiles/" + profile + "/timeline").then().extract().jsonPath();
        assertThat(events.getString("items.find { it.type == 'message_sent' }.properties.messageId")).isEqualTo(id);
        assertThat(events.getString("items.find { it.type == 'message_sent' }.properties.campaignId"))
                .isEqualTo("it-transactional");
        assertThat(events.getString("items.find { it.type == 'message_sent' }.channel")).isEqualTo("email");
        Map<String, Object> other = new HashMap<>(message);
        other.put("content", Map.of("subject", "Другая тема", "text", "другое"));
        send(other).statusCode(409).contentType("application/problem+json");
        assertThat(inbox(email)).hasSize(1);
    }

    @Test
    void aTransactionalSmsInCyrillicGoesToTheProfilesPhoneThroughTwilioInUcs2Parts() {
        String email = "sms-" + UUID.randomUUID() + "@example.com";
        String profile = person(email);
        String phone = AgentIT.phone(email);
        String id = "code-" + UUID.randomUUID();
        Map<String, Object> sms = new HashMap<>();
        sms.put("id", id);
        sms.put("profileId", profile);
        sms.put("channel", "sms");
        sms.put("purpose", "transactional");
        sms.put("content", Map.of("text", "Ваш код подтверждения 4821. Никому его не сообщайте, даже сотрудникам "
                + "банка."));
        JsonPath answer = send(sms).statusCode(202).extract().jsonPath();
        assertThat(answer.getString("encoding")).isEqualTo("UCS-2");
        assertThat(answer.getInt("segments")).isEqualTo(2);
        Await.until(() -> "sent".equals(status(id)), "handed to Twilio");
        assertThat(message(id).getString("provider")).isEqualTo("twilio");
        List<String> to = given().baseUri(Suite.stubs()).when().get("/_received/twilio").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.status == 201 }.body.To", String.class);
        assertThat(to).contains(phone);
    }

    @Test
    void aMessengerMessageGoesToTheProfilesTelegramChat() {
        String email = "tg-" + UUID.randomUUID() + "@example.com";
        String profile = person(email);
        String chat = String.valueOf(Math.floorMod(email.hashCode(), 999_999_999));
        String id = "tg-" + UUID.randomUUID();
        Map<String, Object> message = new HashMap<>();
        message.put("id", id);
        message.put("profileId", profile);
        message.put("channel", "messenger");
        message.put("purpose", "transactional");
        message.put("content", Map.of("text", "Заказ 123 передан в доставку"));
        send(message).statusCode(202);
        Await.until(() -> "sent".equals(status(id)), "handed to Telegram");
        assertThat(message(id).getString("provider")).isEqualTo("telegram");
        List<String> chats = given().baseUri(Suite.stubs()).when().get("/_received/telegram").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.status == 200 }.body.chat_id", String.class);
        assertThat(chats).contains(chat);
    }

    @Test
    void aMarketingMessageWithoutConsentIsRefusedWithTheRuleAndNotStored() {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "mail-nc-" + UUID.randomUUID() + "@example.com";
        String profile = person(email, "page_viewed");
        // suppression-service knows the person once it read the event from the stream
        Await.until(() -> given().port(Suite.port("suppression-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(Map.of("profileId", profile, "channel", "email", "purpose",
                        "marketing")).when().post("/api/v1/decisions").then().statusCode(200).extract().jsonPath()
                .getList("reasons.rule", String.class).contains("no_consent"), "suppression-service knows the person");
        String id = "promo-" + UUID.randomUUID();
        JsonPath refused = send(email(id, profile, "marketing", "Скидка 20 %")).statusCode(422).extract()
                .jsonPath();
        assertThat(refused.getString("reason")).isEqualTo("suppressed");
        assertThat(refused.getList("errors.field", String.class)).contains("no_consent");
        given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user("integrator")).when()
                .get("/api/v1/messages/" + id).then().statusCode(404);
    }

    private static Map<String, Object> email(String id, String profile, String purpose, String subject) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("profileId", profile);
        m.put("channel", "email");
        m.put("purpose", purpose);
        m.put("campaignId", "it-" + purpose);
        m.put("content", Map.of("subject", subject, "html", "<p>" + subject + "</p>", "text", subject));
        return m;
    }

    private static ValidatableResponse send(Map<String, Object> message) {
        return given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(message).when().post("/api/v1/messages").then();
    }

    private static JsonPath message(String id) {
        return given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user("integrator")).when()
                .get("/api/v1/messages/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static String status(String id) {
        return message(id).getString("status");
    }

    /** What GreenMail's web API holds for an address. */
    private static List<Map<String, Object>> inbox(String email) {
        return given().baseUri(Suite.mailApi()).when().get("/api/user/" + email + "/messages/INBOX/").then()
                .statusCode(200).extract().jsonPath().getList("$");
    }

    private static List<String> timeline(String profile) {
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator")).when()
                .get("/api/v1/profiles/" + profile + "/timeline").then().statusCode(200).extract().jsonPath()
                .getList("items.type", String.class);
    }

    private static String person(String email) {
        return person(email, "subscribed");
    }

    private static String person(String email, String type) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "mail-it-" + UUID.randomUUID());
        e.put("type", type);
        e.put("channel", "email");
        e.put("occurredAt", Instant.now().minus(Duration.ofHours(1)).toString());
        e.put("identifiers", Map.of("email", email, "phone", AgentIT.phone(email), "telegramId",
                String.valueOf(Math.floorMod(email.hashCode(), 999_999_999))));
        e.put("properties", type.equals("subscribed") ? Map.of("channel", "all") : Map.of("url", "/"));
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(e).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
    }
}

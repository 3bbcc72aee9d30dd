package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.security.Macs;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A person opts out where they read us, and the whole suite hears it: a "СТОП" answered to an SMS, posted by Twilio
 * (signed with the account's auth token) to channel-gateway, becomes the person's {@code inbound_message} and
 * {@code unsubscribed} on profile-service's timeline, found by the phone, and suppression-service refuses marketing SMS
 * from then on while email stays allowed; the one-click unsubscribe of a marketing email's {@code List-Unsubscribe}
 * header does the same for email.
 */
@ExtendWith(Suite.class)
class OptOutIT {

    private static final String TWILIO_SID = env("RAPPORT_TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000001");
    private static final String TWILIO_TOKEN = env("RAPPORT_TWILIO_AUTH_TOKEN", "twilio-dev-auth-token");
    private static final Pattern UNSUBSCRIBE = Pattern.compile("List-Unsubscribe:\\s*<([^>]+)>");

    @Test
    void aStopSmsAnsweredToUsReachesTheTimelineAndStopsMarketingSmsOnly() {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "stop-" + UUID.randomUUID() + "@example.com";
        String phone = AgentIT.phone(email);
        String profile = person(email, phone);
        Await.until(() -> rules(profile, "sms").isEmpty(), "subscribed on every channel: SMS allowed");

        String sid = "SM" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> sms = new TreeMap<>(Map.of("MessageSid", sid, "SmsSid", sid, "AccountSid", TWILIO_SID,
                "From", phone, "To", "+79990000000", "Body", "СТОП", "NumSegments", "1", "NumMedia", "0"));
        String url = "http://127.0.0.1:" + Suite.port("channel-gateway") + "/webhooks/twilio/inbound";
        given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form(sms))
                .header("X-Twilio-Signature", "forged").when().post(url).then().statusCode(401);
        String twiml = given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form(sms))
                .header("X-Twilio-Signature", twilioSignature(url, sms)).when().post(url).then().statusCode(200)
                .extract().asString();
        assertThat(twiml).contains("<Response></Response>");

        Await.until(() -> timeline(profile).getList("items.type", String.class).containsAll(List.of(
                "inbound_message", "unsubscribed")), "the person's answer and their opt-out on the timeline");
        JsonPath events = timeline(profile);
        assertThat(events.getString("items.find { it.type == 'inbound_message' }.channel")).isEqualTo("sms");
        assertThat(events.getString("items.find { it.type == 'inbound_message' }.properties.text"))
                .isEqualTo("СТОП");
        assertThat(events.getString("items.find { it.type == 'inbound_message' }.properties.conversationId"))
                .isEqualTo("sms:" + phone);
        assertThat(events.getString("items.find { it.type == 'unsubscribed' }.properties.channel")).isEqualTo("sms");

        Await.until(() -> rules(profile, "sms").contains("opted_out"), "marketing SMS refused");
        assertThat(rules(profile, "email")).as("the SMS opt-out is about SMS").isEmpty();
    }

    @Test
    void theOneClickUnsubscribeOfAMarketingEmailStopsMarketingEmail() {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "unsub-" + UUID.randomUUID() + "@example.com";
        String profile = person(email, AgentIT.phone(email));
        Await.until(() -> rules(profile, "email").isEmpty(), "subscribed on every channel: email allowed");

        String id = "promo-" + UUID.randomUUID();
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("profileId", profile);
        m.put("channel", "email");
        m.put("purpose", "marketing");
        m.put("campaignId", "it-unsubscribe");
        m.put("content", Map.of("subject", "Скидка 20 % на мячи", "html", "<p>Скидка <a href=\"https://shop.example"
                + ".com/balls\">на мячи</a></p>", "text", "Скидка 20 % на мячи"));
        given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(m).when().post("/api/v1/messages").then().statusCode(202);
        Await.until(() -> "sent".equals(given().port(Suite.port("channel-gateway")).auth().oauth2(TestTokens.user(
                "integrator")).when().get("/api/v1/messages/" + id).then().statusCode(200).extract()
                .path("status")), "handed to SMTP");
        assertThat(inbox(email)).hasSize(1);
        String raw = String.valueOf(inbox(email).get(0).get("mimeMessage"));
        Matcher link = UNSUBSCRIBE.matcher(raw);
        assertThat(link.find()).as("a List-Unsubscribe header in %s", raw).isTrue();
        assertThat(raw).contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click");

        // what a mail client does for RFC 8058: POST the link with the one-click body
        given().contentType("application/x-www-form-urlencoded").body("List-Unsubscribe=One-Click").when()
                .post(link.group(1)).then().statusCode(200);
        Await.until(() -> rules(profile, "email").contains("opted_out"), "marketing email refused");
        Await.until(() -> timeline(profile).getList("items.type", String.class).contains("unsubscribed"),
                "the opt-out on the timeline");
        assertThat(timeline(profile).getString("items.find { it.type == 'unsubscribed' }.properties.campaignId"))
                .isEqualTo("it-unsubscribe");
    }

    /** A person known by email and phone, subscribed on every channel an hour ago. */
    static String person(String email, String phone) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "optout-it-" + UUID.randomUUID());
        e.put("type", "subscribed");
        e.put("channel", "web");
        e.put("occurredAt", Instant.now().minus(Duration.ofHours(1)).toString());
        e.put("identifiers", Map.of("email", email, "phone", phone));
        e.put("properties", Map.of("channel", "all"));
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(e).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
    }

    /** The rules suppression-service finds against marketing to the person on the channel. */
    static List<String> rules(String profile, String channel) {
        return given().port(Suite.port("suppression-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(Map.of("profileId", profile, "channel", channel, "purpose",
                        "marketing")).when().post("/api/v1/decisions").then().statusCode(200).extract().jsonPath()
                .getList("reasons.rule", String.class);
    }

    private static JsonPath timeline(String profile) {
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator")).when()
                .get("/api/v1/profiles/" + profile + "/timeline").then().statusCode(200).extract().jsonPath();
    }

    private static List<Map<String, Object>> inbox(String email) {
        return given().baseUri(Suite.mailApi()).when().get("/api/user/" + email + "/messages/INBOX/").then()
                .statusCode(200).extract().jsonPath().getList("$");
    }

    /** Twilio's signature: HMAC-SHA1 with the auth token over the URL and each parameter's name and value, sorted. */
    private static String twilioSignature(String url, Map<String, String> sorted) {
        StringBuilder data = new StringBuilder(url);
        sorted.forEach((k, v) -> data.append(k).append(v));
        return Base64.getEncoder().encodeToString(Macs.sha1(TWILIO_TOKEN, data.toString().getBytes(
                StandardCharsets.UTF_8)));
    }

    private static String form(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, v) -> out.append(out.isEmpty() ? "" : "&").append(URLEncoder.encode(k,
                StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return out.toString();
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }
}

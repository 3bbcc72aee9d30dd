package dev.rapport.channel.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.OversizedPost;
import dev.rapport.common.testing.Rows;
import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * The providers' webhooks as the providers send them, signed with their own schemes: a report on a sent message moves
 * it forwards and never back, becomes its event once, and a redelivery changes nothing; a hard bounce says the address
 * is unreachable; a person's message is stored and waits for profile-service (down beside these tests) without being
 * lost; a forged, unsigned, stale, malformed or oversized webhook is refused with a problem and leaves nothing behind.
 */
@QuarkusTest
class ProviderWebhooksTest {

    /** The private half of the SendGrid verification key the test profile configures. */
    private static final String SENDGRID_PRIVATE_KEY = "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCCEfr8VpQ4pAa5vtZtf"
            + "Ufho92pAAfvqxk0V1+m4O0xzrQ==";
    private static final String TWILIO_TOKEN = "twilio-test-token";

    @Inject
    AgroalDataSource db;

    @TestHTTPResource("/webhooks/twilio/status")
    URL twilioStatus;

    @TestHTTPResource("/webhooks/twilio/inbound")
    URL twilioInbound;

    @Test
    void aTwilioDeliveryReportMovesTheSmsToDeliveredOnceAndItsRedeliveryChangesNothing() throws Exception {
        String sid = "SM" + hex();
        String id = sent("sms", "+79161234567", "twilio", sid);
        Map<String, String> report = twilioReport(sid, "delivered", null);
        twilio(twilioStatus, report).statusCode(200).body("events", equalTo(1)).body("duplicates", equalTo(0));
        Await.until(() -> "delivered".equals(status(id)), "delivered");
        twilio(twilioStatus, report).statusCode(200).body("duplicates", equalTo(1));
        assertThat(history(id)).containsExactly("sent", "delivered");
        assertThat(events(id)).containsExactly("message_delivered");
        assertThat(count("SELECT count(*) FROM callback WHERE provider = 'twilio' AND event_id LIKE ?", sid + "%"))
                .isEqualTo(1);
    }

    @Test
    void aLateDeliveryReportNeverMovesAReadMessageBack() throws Exception {
        String sid = "SM" + hex();
        String id = sent("sms", "+79161234568", "twilio", sid);
        twilio(twilioStatus, twilioReport(sid, "read", null)).statusCode(200);
        Await.until(() -> "opened".equals(status(id)), "opened");
        twilio(twilioStatus, twilioReport(sid, "delivered", null)).statusCode(200);
        Await.until(() -> events(id).contains("message_delivered"), "the late report recorded as an event");
        assertThat(status(id)).isEqualTo("opened");
        assertThat(history(id)).containsExactly("sent", "opened");
    }

    @Test
    void anUnreachableNumberBouncesHardWithTwiliosErrorCode() throws Exception {
        String sid = "SM" + hex();
        String id = sent("sms", "+79161234569", "twilio", sid);
        twilio(twilioStatus, twilioReport(sid, "undelivered", "30003")).statusCode(200);
        Await.until(() -> "bounced".equals(status(id)), "bounced");
        assertThat(text("SELECT properties->>'bounce' FROM message_event WHERE message_id = ? "
                + "AND type = 'message_bounced'", id)).isEqualTo("hard");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", id)).contains("30003");
    }

    @Test
    void aTwilioWebhookWithAWrongOrMissingSignatureIsRefusedAndNotStored() throws Exception {
        String sid = "SM" + hex();
        Map<String, String> report = twilioReport(sid, "delivered", null);
        given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form(report))
                .header("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=").when().post(twilioStatus).then()
                .statusCode(401).contentType("application/problem+json").body("reason", equalTo("bad_signature"));
        given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form(report)).when()
                .post(twilioStatus).then().statusCode(401);
        String signed = ProviderSignatures.twilioSignature(TWILIO_TOKEN, twilioStatus.toString(), entries(report));
        report.put("MessageStatus", "read");
        given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form(report))
                .header("X-Twilio-Signature", signed).when().post(twilioStatus).then()
                .statusCode(401); // a parameter changed after signing
        assertThat(count("SELECT count(*) FROM callback WHERE event_id LIKE ?", sid + "%")).isZero();
    }

    @Test
    void anInboundStopSmsIsStoredAndWaitsForProfileServiceAnsweredWithEmptyTwiml() throws Exception {
        String sid = "SM" + hex();
        Map<String, String> sms = new LinkedHashMap<>();
        sms.put("MessageSid", sid);
        sms.put("AccountSid", "AC0000000000000000000000000000test");
        sms.put("From", "+79161230000");
        sms.put("To", "+79990000000");
        sms.put("Body", "СТОП");
        sms.put("NumSegments", "1");
        String answer = twilio(twilioInbound, sms).statusCode(200).contentType("text/xml").extract().asString();
        assertThat(answer).contains("<Response></Response>");
        Await.until(() -> count("SELECT attempts FROM callback WHERE provider = 'twilio' AND event_id = ?", sid) >= 1,
                "tried, profile-service being down");
        assertThat(text("SELECT status || ' ' || kind || ' ' || (payload->>'Body') FROM callback WHERE event_id = ?",
                sid)).isEqualTo("pending inbound СТОП");
        assertThat(text("SELECT last_error FROM callback WHERE event_id = ?", sid)).contains("profile-service");
    }

    @Test
    void aSignedSendgridBatchMovesTheEmailForwardsAndRecordsEachEventOnce() throws Exception {
        String id = sent("email", "ivan@example.com", "sendgrid", "sg" + hex());
        long now = Instant.now().getEpochSecond();
        String batch = "[" + sendgridEvent(id, "delivered", "") + ",\r\n" + sendgridEvent(id, "click",
                ",\"url\":\"https://shop.example/p/42\"") + ",\r\n" + sendgridEvent(id, "open", "") + ",\r\n"
                + sendgridEvent(id, "unsubscribe", "") + "]\r\n";
        sendgrid(batch, String.valueOf(now)).statusCode(200).body("events", equalTo(4));
        Await.until(() -> events(id).size() == 4, "four events");
        assertThat(status(id)).isEqualTo("clicked");
        assertThat(history(id)).containsExactly("sent", "delivered", "clicked");
        assertThat(events(id)).containsExactlyInAnyOrder("message_delivered", "message_clicked", "message_opened",
                "unsubscribed");
        assertThat(text("SELECT properties->>'url' FROM message_event WHERE message_id = ? AND type = "
                + "'message_clicked'", id)).isEqualTo("https://shop.example/p/42");
        assertThat(text("SELECT properties->>'channel' FROM message_event WHERE message_id = ? AND type = "
                + "'unsubscribed'", id)).isEqualTo("email");
        sendgrid(batch, String.valueOf(now)).statusCode(200).body("duplicates", equalTo(4));
    }

    @Test
    void aSendgridPostStaleForgedMalformedOrTooLargeIsRefused() throws Exception {
        String id = "sg-refused-" + hex();
        String batch = "[" + sendgridEvent(id, "delivered", "") + "]\r\n";
        sendgrid(batch, String.valueOf(Instant.now().minusSeconds(3 * 86_400).getEpochSecond())).statusCode(401);
        String now = String.valueOf(Instant.now().getEpochSecond());
        given().body(batch).header("X-Twilio-Email-Event-Webhook-Signature", sign(now, "[]"))
                .header("X-Twilio-Email-Event-Webhook-Timestamp", now).when().post("/webhooks/sendgrid/events")
                .then().statusCode(401).contentType("application/problem+json");
        sendgrid("{\"event\":\"delivered\"", now).statusCode(400).body("reason", equalTo("invalid_webhook"));
        sendgrid("[{\"event\":\"delivered\"}]", now).statusCode(400).body("detail",
                org.hamcrest.Matchers.containsString("sg_event_id"));
        // the gateway answers 413 and closes before a client has sent it all: read its answer however it ends
        assertThat(OversizedPost.post(io.restassured.RestAssured.port, "/webhooks/sendgrid/events", null, "["
                + "x".repeat(1_100_000) + "]").status()).isEqualTo(413);
        assertThat(count("SELECT count(*) FROM callback WHERE payload->>'message_id' = ?", id)).isZero();
    }

    @Test
    void aTelegramUpdateNeedsTheSecretTokenAndIsStoredOnce() throws Exception {
        long update = System.nanoTime() % 1_000_000_000L;
        String body = "{\"update_id\":" + update + ",\"message\":{\"message_id\":42,\"from\":{\"id\":123456789,"
                + "\"is_bot\":false,\"first_name\":\"Иван\"},\"chat\":{\"id\":123456789,\"type\":\"private\"},"
                + "\"date\":1750000000,\"text\":\"Где мой заказ?\"}}";
        given().body(body).header("X-Telegram-Bot-Api-Secret-Token", "wrong").when().post("/webhooks/telegram")
                .then().statusCode(401);
        given().body(body).when().post("/webhooks/telegram").then().statusCode(401);
        given().body(body).header("X-Telegram-Bot-Api-Secret-Token", "telegram-test-secret").when()
                .post("/webhooks/telegram").then().statusCode(200).body("duplicates", equalTo(0));
        given().body(body).header("X-Telegram-Bot-Api-Secret-Token", "telegram-test-secret").when()
                .post("/webhooks/telegram").then().statusCode(200).body("duplicates", equalTo(1));
        assertThat(text("SELECT kind FROM callback WHERE provider = 'telegram' AND event_id = ?",
                String.valueOf(update))).isEqualTo("inbound");
        given().body("{\"message\":{}}").header("X-Telegram-Bot-Api-Secret-Token", "telegram-test-secret").when()
                .post("/webhooks/telegram").then().statusCode(400);
    }

    @Test
    void whatsappsHandshakeAnswersTheChallengeOnlyToTheVerifyToken() {
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "whatsapp-test-verify-token")
                .queryParam("hub.challenge", "1158201444").when().get("/webhooks/whatsapp").then().statusCode(200)
                .body(equalTo("1158201444"));
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "meatyhamhock")
                .queryParam("hub.challenge", "1158201444").when().get("/webhooks/whatsapp").then().statusCode(401);
        given().queryParam("hub.mode", "unsubscribe").queryParam("hub.verify_token", "whatsapp-test-verify-token")
                .queryParam("hub.challenge", "1158201444").when().get("/webhooks/whatsapp").then().statusCode(401);
    }

    @Test
    void aWhatsappUndeliverableReportBouncesTheMessageAndAForgedOneIsRefused() throws Exception {
        String wamid = "wamid." + hex();
        String id = sent("messenger", "whatsapp:79161234570", "whatsapp", wamid);
        String body = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"value\":{"
                + "\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"100000000000001\"},"
                + "\"statuses\":[{\"id\":\"" + wamid + "\",\"status\":\"failed\",\"timestamp\":\"1750000000\","
                + "\"recipient_id\":\"79161234570\",\"errors\":[{\"code\":131026,\"title\":\"Message undeliverable\""
                + "}]}]},\"field\":\"messages\"}]}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        given().body(bytes).header("X-Hub-Signature-256", ProviderSignatures.whatsappSignature("another-secret",
                bytes)).when().post("/webhooks/whatsapp").then().statusCode(401);
        assertThat(count("SELECT count(*) FROM callback WHERE event_id LIKE ?", wamid + "%")).isZero();
        given().body(bytes).header("X-Hub-Signature-256", ProviderSignatures.whatsappSignature(
                "whatsapp-test-app-secret", bytes)).when().post("/webhooks/whatsapp").then().statusCode(200)
                .body("events", equalTo(1));
        Await.until(() -> "bounced".equals(status(id)), "bounced");
        assertThat(text("SELECT properties->>'bounce' FROM message_event WHERE message_id = ?", id))
                .isEqualTo("hard");
    }

    @Test
    void aReportOnAMessageNotRecordedYetWaitsForItInsteadOfBeingDropped() throws Exception {
        String sid = "SM" + hex();
        twilio(twilioStatus, twilioReport(sid, "delivered", null)).statusCode(200);
        Await.until(() -> count("SELECT attempts FROM callback WHERE event_id = ?", sid + ":delivered") >= 1,
                "tried");
        assertThat(text("SELECT status FROM callback WHERE event_id = ?", sid + ":delivered")).isEqualTo("pending");
        assertThat(text("SELECT last_error FROM callback WHERE event_id = ?", sid + ":delivered"))
                .contains("no message has twilio's id");
        String id = sent("sms", "+79161234571", "twilio", sid);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE callback SET next_attempt_at = now() WHERE event_id = ?")) {
            s.setString(1, sid + ":delivered");
            s.executeUpdate();
        }
        Await.until(() -> "delivered".equals(status(id)), "applied once the send is recorded");
    }

    @Test
    void anOperatorSeesAReportSetAsideWithItsReasonAndPutsItBackOnceTheMessageIsKnown() throws Exception {
        String sid = "SM" + hex();
        twilio(twilioStatus, twilioReport(sid, "delivered", null)).statusCode(200);
        Await.until(() -> count("SELECT attempts FROM callback WHERE event_id = ?", sid + ":delivered") >= 1,
                "tried");
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE callback SET "
                + "received_at = now() - interval '2 days', next_attempt_at = now() WHERE event_id = ?")) {
            s.setString(1, sid + ":delivered");
            s.executeUpdate();
        }
        Await.until(() -> "unprocessable".equals(text("SELECT status FROM callback WHERE event_id = ?",
                sid + ":delivered")), "set aside once it is older than orphan-after");
        long callback = count("SELECT id FROM callback WHERE event_id = ?", sid + ":delivered");
        Await.until(() -> given().when().get("/q/metrics").then().extract().asString()
                .contains("rapport_channel_callbacks_pending"), "the backlog is a gauge");
        assertThat(given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("rapport_channel_messages_queued", "rapport_channel_events_unrecorded",
                        "rapport_channel_callbacks_oldest_age_seconds");

        String admin = TestTokens.user("admin");
        given().auth().oauth2(admin).when().get("/api/v1/channel/callbacks").then().statusCode(200)
                .body("items.find { it.eventId == '" + sid + ":delivered' }.status", equalTo("unprocessable"))
                .body("items.find { it.eventId == '" + sid + ":delivered' }.lastError",
                        containsString("no message has twilio's id"))
                .body("items.find { it.eventId == '" + sid + ":delivered' }.payload", nullValue());
        String next = given().auth().oauth2(admin).queryParam("limit", 1).when().get("/api/v1/channel/callbacks")
                .then().statusCode(200).body("items", hasSize(1)).extract().path("nextCursor");
        if (next != null) {
            given().auth().oauth2(admin).queryParam("limit", 1).queryParam("cursor", next).when()
                    .get("/api/v1/channel/callbacks").then().statusCode(200).body("items", hasSize(1));
        }

        String id = sent("sms", "+79161234572", "twilio", sid);
        given().auth().oauth2(admin).when().post("/api/v1/channel/callbacks/" + callback + "/retry").then()
                .statusCode(200).body("status", equalTo("pending"));
        Await.until(() -> "delivered".equals(status(id)), "applied after the operator put it back");
        assertThat(text("SELECT status FROM callback WHERE event_id = ?", sid + ":delivered")).isEqualTo("applied");
        given().auth().oauth2(admin).when().post("/api/v1/channel/callbacks/" + callback + "/retry").then()
                .statusCode(404).contentType("application/problem+json").body("reason", equalTo("callback_not_found"));
    }

    @Test
    void theCallbackListIsForAdminsAndRefusesWhatItCannotRead() {
        given().when().get("/api/v1/channel/callbacks").then().statusCode(401);
        given().auth().oauth2(TestTokens.user("integrator")).when().get("/api/v1/channel/callbacks").then()
                .statusCode(403);
        given().auth().oauth2(TestTokens.user("integrator")).when().post("/api/v1/channel/callbacks/1/retry").then()
                .statusCode(403);
        String admin = TestTokens.user("admin");
        for (String[] bad : new String[][] { { "status", "lost" }, { "limit", "0" }, { "limit", "501" },
                { "limit", "ten" }, { "cursor", "!!" }, { "cursor", "LTE" } }) {
            given().auth().oauth2(admin).queryParam(bad[0], bad[1]).when().get("/api/v1/channel/callbacks").then()
                    .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo(bad[0]));
        }
        given().auth().oauth2(admin).when().post("/api/v1/channel/callbacks/x/retry").then().statusCode(404);
    }

    private ValidatableResponse twilio(URL url, Map<String, String> params) {
        String signature = ProviderSignatures.twilioSignature(TWILIO_TOKEN, url.toString(), entries(params));
        return given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(form(params))
                .header("X-Twilio-Signature", signature).when().post(url).then();
    }

    private static Map<String, String> twilioReport(String sid, String status, String errorCode) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("MessageSid", sid);
        p.put("SmsSid", sid);
        p.put("AccountSid", "AC0000000000000000000000000000test");
        p.put("MessageStatus", status);
        p.put("SmsStatus", status);
        p.put("To", "+79161234567");
        p.put("ApiVersion", "2010-04-01");
        if (errorCode != null) {
            p.put("ErrorCode", errorCode);
        }
        return p;
    }

    private static String sendgridEvent(String messageId, String event, String extra) {
        return "{\"email\":\"ivan@example.com\",\"event\":\"" + event + "\",\"message_id\":\"" + messageId
                + "\",\"sg_event_id\":\"" + event + "-" + messageId + "\",\"sg_message_id\":\"x.filterdrecv\","
                + "\"timestamp\":" + Instant.now().getEpochSecond() + extra + "}";
    }

    private ValidatableResponse sendgrid(String body, String timestamp) throws Exception {
        return given().body(body.getBytes(StandardCharsets.UTF_8))
                .header("X-Twilio-Email-Event-Webhook-Signature", sign(timestamp, body))
                .header("X-Twilio-Email-Event-Webhook-Timestamp", timestamp).when().post("/webhooks/sendgrid/events")
                .then();
    }

    private static String sign(String timestamp, String body) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(SENDGRID_PRIVATE_KEY))));
        s.update(timestamp.getBytes(StandardCharsets.UTF_8));
        s.update(body.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(s.sign());
    }

    private static String form(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, v) -> out.append(out.isEmpty() ? "" : "&").append(URLEncoder.encode(k,
                StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return out.toString();
    }

    private static List<Map.Entry<String, String>> entries(Map<String, String> params) {
        return new ArrayList<>(params.entrySet());
    }

    private String sent(String channel, String address, String provider, String providerId) throws SQLException {
        String id = "w-" + UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                        segments, status, provider, provider_message_id, attempts, created_at, updated_at)
                    VALUES (?, 'p-1', ?, 'marketing', ?, 'email:p1@example.com', '{"text":"Скидка"}'::jsonb,
                        'digest', 1, 'sent', ?, ?, 1, now(), now())""")) {
                s.setString(1, id);
                s.setString(2, channel);
                s.setString(3, address);
                s.setString(4, provider);
                s.setString(5, providerId);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO message_status (message_id, status, at, detail) VALUES (?, 'sent', now(), 'test')")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            c.commit();
        }
        return id;
    }

    private String status(String id) throws SQLException {
        return text("SELECT status FROM message WHERE id = ?", id);
    }

    private List<String> history(String id) throws SQLException {
        return texts("SELECT status FROM message_status WHERE message_id = ? ORDER BY seq", id);
    }

    private List<String> events(String id) throws SQLException {
        return texts("SELECT type FROM message_event WHERE message_id = ? ORDER BY at", id);
    }

    private List<String> texts(String sql, String id) throws SQLException {
        return Rows.texts(db, sql, id);
    }

    private String text(String sql, String id) throws SQLException {
        return Rows.text(db, sql, id);
    }

    private long count(String sql, String id) throws SQLException {
        return Rows.number(db, sql, id);
    }

    private static String hex() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}

package dev.rapport.channel.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.channel.ProviderStubsResource;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.Rows;
import dev.rapport.stubs.FcmStub;
import dev.rapport.stubs.WhatsappStub;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Push through FCM and messenger messages to {@code whatsapp:} numbers, handed off by the dispatcher to the providers'
 * stand-ins and ending as the gateway records them: FCM signs in with the service account (an RS256 assertion the
 * stand-in checks against the key) and keeps its token, signs in again once when FCM refuses it, bounces an
 * unregistered device token, waits for {@code Retry-After} when FCM is over quota or unavailable and fails a push FCM
 * refuses for its content; WhatsApp's Cloud API takes the text from the configured phone number, bounces an
 * undeliverable number (131026) and is tried again when it is over its throughput (130429) or broken.
 */
@QuarkusTest
class PushAndMessengerProvidersTest {

    private static final String PUSH = "{\"title\":\"Заказ 123\",\"body\":\"Передан в доставку\","
            + "\"data\":{\"orderId\":\"123\",\"screen\":\"orders\"}}";
    private static final String TEXT = "{\"text\":\"Заказ 123 в пути\"}";

    @Inject
    AgroalDataSource db;

    @Test
    void aPushGoesThroughFcmSignedInWithTheServiceAccountWhoseTokenIsKept() throws Exception {
        FcmStub fcm = ProviderStubsResource.stubs().fcm();
        String token = deviceToken();
        String id = stored("push", token, PUSH);
        Await.until(() -> "sent".equals(status(id)), "handed to FCM");
        assertThat(text("SELECT provider FROM message WHERE id = ?", id)).isEqualTo("fcm");
        String name = text("SELECT provider_message_id FROM message WHERE id = ?", id);
        assertThat(name).startsWith("projects/" + fcm.projectId() + "/messages/0:");

        JsonNode sent = sends(fcm, token).get(0);
        assertThat(sent.path("path").asText()).isEqualTo("/fcm/v1/projects/" + fcm.projectId() + "/messages:send");
        assertThat(sent.path("answer").path("name").asText()).isEqualTo(name);
        JsonNode message = sent.path("body").path("message");
        assertThat(message.path("notification").path("title").asText()).isEqualTo("Заказ 123");
        assertThat(message.path("notification").path("body").asText()).isEqualTo("Передан в доставку");
        assertThat(message.path("data").path("orderId").asText()).isEqualTo("123");
        assertThat(message.path("data").path("screen").asText()).isEqualTo("orders");

        // the sign-in: a JWT bearer grant whose assertion names the account, FCM's scope and the token endpoint
        List<JsonNode> signIns = signIns(fcm);
        assertThat(signIns).isNotEmpty();
        JsonNode last = signIns.get(signIns.size() - 1);
        assertThat(last.path("status").asInt()).isEqualTo(200);
        assertThat(last.path("body").path("grant_type").asText())
                .isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
        JsonNode claims = last.path("claims");
        assertThat(claims.path("iss").asText()).isEqualTo(fcm.serviceAccount().clientEmail());
        assertThat(claims.path("aud").asText()).isEqualTo(fcm.serviceAccount().tokenUri().toString());
        assertThat(claims.path("scope").asText()).isEqualTo(FcmStub.SCOPE);
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);

        // the token is kept: the next push signs in no more
        String again = stored("push", deviceToken(), PUSH);
        Await.until(() -> "sent".equals(status(again)), "handed to FCM");
        assertThat(signIns(fcm)).hasSameSizeAs(signIns);
    }

    @Test
    void aTokenFcmNoLongerTakesIsReplacedBySigningInAgainOnce() throws Exception {
        FcmStub fcm = ProviderStubsResource.stubs().fcm();
        String warm = stored("push", deviceToken(), PUSH);
        Await.until(() -> "sent".equals(status(warm)), "signed in");
        int before = signIns(fcm).size();

        fcm.revokeTokens();
        String token = deviceToken();
        String id = stored("push", token, PUSH);
        Await.until(() -> "sent".equals(status(id)), "sent after a new sign-in");
        assertThat(signIns(fcm)).hasSize(before + 1);
        assertThat(sends(fcm, token)).extracting(s -> s.path("status").asInt()).containsExactly(401, 200);
        assertThat(number("SELECT attempts FROM message WHERE id = ?", id)).as("within one attempt").isEqualTo(1);
    }

    @Test
    void anUnregisteredDeviceTokenBounces() throws Exception {
        FcmStub fcm = ProviderStubsResource.stubs().fcm();
        String token = deviceToken();
        fcm.unregister(token);
        String id = stored("push", token, PUSH);
        Await.until(() -> "bounced".equals(status(id)), "unreachable");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", id)).contains("404", "UNREGISTERED");
        assertThat(text("SELECT properties->>'bounce' FROM message_event WHERE message_id = ? "
                + "AND type = 'message_bounced'", id)).isEqualTo("hard");
        assertThat(sends(fcm, token)).hasSize(1);
    }

    @Test
    void fcmOverQuotaOrUnavailableIsTriedAgainNoSoonerThanItsRetryAfter() throws Exception {
        FcmStub fcm = ProviderStubsResource.stubs().fcm();
        fcm.failNext(429, 1, 1);
        String busy = stored("push", deviceToken(), PUSH);
        Await.until(() -> "sent".equals(status(busy)), "sent after the pause");
        assertThat(number("SELECT attempts FROM message WHERE id = ?", busy)).as("the pause spent no attempt")
                .isEqualTo(1);
        assertThat(details(busy)).contains("fcm asked to wait", "QUOTA_EXCEEDED");
        // the first back-off is 200 ms here: the second attempt waited for FCM's Retry-After of a second
        assertThat(secondsFromRetryToSent(busy)).isGreaterThanOrEqualTo(0.9);

        fcm.failNext(503, 1);
        String down = stored("push", deviceToken(), PUSH);
        Await.until(() -> "sent".equals(status(down)), "sent once FCM is back");
        assertThat(details(down)).contains("503 UNAVAILABLE");

        fcm.failNext(500, 1);
        String broken = stored("push", deviceToken(), PUSH);
        Await.until(() -> "sent".equals(status(broken)), "sent once FCM is back");
        assertThat(details(broken)).contains("500 INTERNAL");
    }

    @Test
    void aPushFcmRefusesForItsContentFailsWithoutBouncing() throws Exception {
        // over FCM's 4,096 bytes (the API refuses such a push; stored here as if it had been let through)
        String id = stored("push", deviceToken(), "{\"title\":\"Скидка\",\"data\":{\"blob\":\"" + "x".repeat(5000)
                + "\"}}");
        Await.until(() -> "failed".equals(status(id)), "refused for good");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", id)).contains("400", "INVALID_ARGUMENT",
                "too big");
        assertThat(number("SELECT attempts FROM message WHERE id = ?", id)).isEqualTo(1);
    }

    @Test
    void aWhatsappMessageGoesThroughTheCloudApiFromTheConfiguredNumber() throws Exception {
        WhatsappStub whatsapp = ProviderStubsResource.stubs().whatsapp();
        String number = phone();
        String id = stored("messenger", "whatsapp:" + number, TEXT);
        Await.until(() -> "sent".equals(status(id)), "handed to WhatsApp");
        assertThat(text("SELECT provider FROM message WHERE id = ?", id)).isEqualTo("whatsapp");
        String wamid = text("SELECT provider_message_id FROM message WHERE id = ?", id);
        assertThat(wamid).startsWith("wamid.");

        JsonNode sent = received(whatsapp, number).get(0);
        assertThat(sent.path("path").asText()).isEqualTo("/whatsapp/v21.0/" + whatsapp.phoneNumberId()
                + "/messages");
        assertThat(sent.path("answer").path("messages").path(0).path("id").asText()).isEqualTo(wamid);
        JsonNode body = sent.path("body");
        assertThat(body.path("messaging_product").asText()).isEqualTo("whatsapp");
        assertThat(body.path("recipient_type").asText()).isEqualTo("individual");
        assertThat(body.path("type").asText()).isEqualTo("text");
        assertThat(body.path("text").path("body").asText()).isEqualTo("Заказ 123 в пути");

        // a telegram: address of the same channel still goes to Telegram
        String telegram = stored("messenger", "telegram:500199", TEXT);
        Await.until(() -> "sent".equals(status(telegram)), "handed to Telegram");
        assertThat(text("SELECT provider FROM message WHERE id = ?", telegram)).isEqualTo("telegram");
    }

    @Test
    void anUndeliverableWhatsappNumberBouncesAndABusyApiIsTriedAgain() throws Exception {
        WhatsappStub whatsapp = ProviderStubsResource.stubs().whatsapp();
        String gone = phone();
        whatsapp.undeliverable(gone);
        String bounced = stored("messenger", "whatsapp:" + gone, TEXT);
        Await.until(() -> "bounced".equals(status(bounced)), "unreachable");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", bounced)).contains("131026",
                "undeliverable");

        whatsapp.failNext(429, 1);
        String busy = stored("messenger", "whatsapp:" + phone(), TEXT);
        Await.until(() -> "sent".equals(status(busy)), "sent after the pause");
        assertThat(number("SELECT attempts FROM message WHERE id = ?", busy)).isEqualTo(2);
        assertThat(details(busy)).contains("130429");

        whatsapp.failNext(500, 1);
        String broken = stored("messenger", "whatsapp:" + phone(), TEXT);
        Await.until(() -> "sent".equals(status(broken)), "sent once the API is back");
        assertThat(details(broken)).contains("131000");
    }

    private static String deviceToken() {
        return "fcm-" + UUID.randomUUID() + ":APA91b" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String phone() {
        return "7916" + String.format("%07d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 10_000_000L));
    }

    /** FCM's sends to a device token, oldest first. */
    private static List<JsonNode> sends(FcmStub fcm, String token) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : fcm.received()) {
            if (e.path("path").asText().endsWith(":send") && token.equals(e.path("body").path("message")
                    .path("token").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<JsonNode> signIns(FcmStub fcm) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : fcm.received()) {
            if (e.path("path").asText().equals("/fcm/token")) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<JsonNode> received(WhatsappStub whatsapp, String number) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : whatsapp.received()) {
            if (number.equals(e.path("body").path("to").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    /** A queued transactional message as the gateway stores it (the dispatcher is running). */
    private String stored(String channel, String address, String content) throws SQLException {
        String id = "p-" + UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                        segments, status, attempts, next_attempt_at, created_at, updated_at)
                    VALUES (?, 'p-1', ?, 'transactional', ?, 'email:p1@example.com', ?::jsonb, 'digest', 1, 'queued',
                        0, now(), now(), now())""")) {
                s.setString(1, id);
                s.setString(2, channel);
                s.setString(3, address);
                s.setString(4, content);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO message_status (message_id, status, at, detail) "
                    + "VALUES (?, 'queued', now(), 'test')")) {
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

    private String details(String id) throws SQLException {
        return text("SELECT string_agg(detail, ' | ' ORDER BY seq) FROM message_status WHERE message_id = ?", id);
    }

    /** How long after the temporary failure was recorded the message was sent. */
    private double secondsFromRetryToSent(String id) throws SQLException {
        return Double.parseDouble(text("""
                SELECT extract(epoch FROM max(at) FILTER (WHERE status = 'sent')
                    - max(at) FILTER (WHERE status = 'queued' AND (detail LIKE 'attempt %' OR detail LIKE '% asked to wait %')))
                FROM message_status WHERE message_id = ?""", id));
    }

    private String text(String sql, String id) throws SQLException {
        return Rows.text(db, sql, id);
    }

    private long number(String sql, String id) throws SQLException {
        return Rows.number(db, sql, id);
    }
}

package dev.rapport.desk.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.OversizedPost;
import dev.rapport.desk.Signatures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * The desks' webhooks as the desks call them: verified over the exact bytes, stored before they are answered, a
 * redelivery answered and changing nothing; forged, stale, malformed and oversized ones refused with problem details,
 * leaving nothing behind. (No profile-service runs beside these tests: what is stored stays pending, retried.)
 */
@QuarkusTest
class WebhooksResourceTest {

    static final String ZENDESK = "zendesk-test-secret";
    static final String FRESHDESK = "freshdesk-test-secret";
    static final String GENERIC = "generic-test-secret";

    @Inject
    AgroalDataSource db;

    static String ticket(String deliveryId, String ticketId, String status, String email) {
        return "{\"id\":\"" + deliveryId + "\",\"ticket\":{\"id\":\"" + ticketId + "\",\"status\":\"" + status
                + "\",\"subject\":\"Заказ не пришёл\",\"updatedAt\":\"" + Instant.now() + "\",\"requester\":{"
                + (email == null ? "" : "\"email\":\"" + email + "\"") + "}}}\n";
    }

    static ValidatableResponse zendesk(String body, String timestamp, String signature) {
        return given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8))
                .header("X-Zendesk-Webhook-Signature-Timestamp", timestamp)
                .header("X-Zendesk-Webhook-Signature", signature)
                .when().post("/webhooks/desk/zendesk").then().log().ifValidationFails();
    }

    static ValidatableResponse zendesk(String body) {
        String ts = Instant.now().toString();
        return zendesk(body, ts, Signatures.zendeskSignature(ZENDESK, ts, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSignedZendeskDeliveryIsStoredAndItsRedeliveryChangesNothing() throws SQLException {
        String delivery = "zd-" + UUID.randomUUID();
        String body = ticket(delivery, "Z-1", "open", "ivan-" + UUID.randomUUID() + "@example.com");
        zendesk(body).statusCode(200).body("deliveryId", equalTo(delivery)).body("ticketId", equalTo("Z-1"))
                .body("duplicate", equalTo(false));
        zendesk(body).statusCode(200).body("duplicate", equalTo(true));
        assertThat(count(delivery)).isEqualTo(1);
        assertThat(status(delivery)).as("kept until profile-service takes it").isEqualTo("pending");
    }

    @Test
    void forgedStaleOrUnsignedDeliveriesAreRefusedAndLeaveNothing() throws SQLException {
        String delivery = "zd-" + UUID.randomUUID();
        String body = ticket(delivery, "Z-2", "open", "a@example.com");
        String ts = Instant.now().toString();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        zendesk(body, ts, Signatures.zendeskSignature("not-the-secret", ts, bytes)).statusCode(401)
                .contentType("application/problem+json").body("reason", equalTo("bad_signature"));
        zendesk(body.replace("Z-2", "Z-3"), ts, Signatures.zendeskSignature(ZENDESK, ts, bytes)).statusCode(401);
        String old = Instant.now().minus(Duration.ofHours(25)).toString();
        zendesk(body, old, Signatures.zendeskSignature(ZENDESK, old, bytes)).statusCode(401);
        String ahead = Instant.now().plus(Duration.ofMinutes(10)).toString();
        zendesk(body, ahead, Signatures.zendeskSignature(ZENDESK, ahead, bytes)).statusCode(401);
        given().contentType("application/json").body(bytes).when().post("/webhooks/desk/zendesk").then()
                .statusCode(401);
        given().contentType("application/json").body(bytes).header("X-Rapport-Webhook-Secret", "guess").when()
                .post("/webhooks/desk/freshdesk").then().statusCode(401);
        assertThat(count(delivery)).isZero();
    }

    @Test
    void malformedAndOversizedBodiesAreProblemsNamingWhatIsWrong() throws SQLException {
        zendesk("{not json").statusCode(400).body("errors[0].field", equalTo("body"));
        String delivery = "zd-" + UUID.randomUUID();
        zendesk(ticket(delivery, "Z-4", "exploded", "a@example.com")).statusCode(400)
                .body("errors[0].field", equalTo("ticket.status"));
        zendesk("{\"id\":\"" + delivery + "\",\"ticket\":{\"status\":\"open\"}}").statusCode(400)
                .body("errors[0].field", equalTo("ticket.id"));
        assertThat(count(delivery)).isZero();
        String big = "{\"ticket\":{\"id\":\"1\",\"status\":\"open\",\"subject\":\"" + "x".repeat(300_000) + "\"}}";
        zendesk(big).statusCode(413).contentType("application/problem+json");
        OversizedPost.Answer huge = OversizedPost.post(io.restassured.RestAssured.port, "/webhooks/desk/generic", null,
                "{\"x\":\"" + "y".repeat(1_100_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
    }

    @Test
    void freshdeskWithItsSharedSecretAndTheGenericWebhookWithOurSignatureAreTaken() throws SQLException {
        String fd = "fd-" + UUID.randomUUID();
        given().contentType("application/json").body(ticket(fd, "F-1", "Open", "b@example.com"))
                .header("X-Rapport-Webhook-Secret", FRESHDESK).when().post("/webhooks/desk/freshdesk").then()
                .statusCode(200).body("duplicate", equalTo(false));
        String gen = "gen-" + UUID.randomUUID();
        byte[] body = ticket(gen, "G-1", "solved", "c@example.com").getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        given().contentType("application/json").body(body).header("X-Rapport-Timestamp", ts)
                .header("X-Rapport-Signature", Signatures.genericSignature(GENERIC, ts, body)).when()
                .post("/webhooks/desk/generic").then().statusCode(200);
        given().contentType("application/json").body(body).header("X-Rapport-Timestamp", ts)
                .header("X-Rapport-Signature", Signatures.genericSignature("wrong", ts, body)).when()
                .post("/webhooks/desk/generic").then().statusCode(401);
        assertThat(count(fd)).isEqualTo(1);
        assertThat(count(gen)).isEqualTo(1);
    }

    @Test
    void aTicketWhoseRequesterHasNeitherEmailNorPhoneIsKeptAndReportedNotDropped() throws SQLException {
        String delivery = "zd-" + UUID.randomUUID();
        zendesk(ticket(delivery, "Z-5", "open", null)).statusCode(200);
        Await.until(() -> "unprocessable".equals(status(delivery)), "set aside with its reason");
        assertThat(lastError(delivery)).contains("neither an email nor a phone");
    }

    @Test
    void aDeliveryStaysPendingAndIsRetriedWhileProfileServiceIsDown() throws SQLException {
        String delivery = "zd-" + UUID.randomUUID();
        zendesk(ticket(delivery, "Z-6", "open", "d-" + UUID.randomUUID() + "@example.com")).statusCode(200);
        Await.until(() -> attempts(delivery) >= 2, "tried again");
        assertThat(status(delivery)).isEqualTo("pending");
        assertThat(lastError(delivery)).isNotBlank();
    }

    private long count(String delivery) throws SQLException {
        return query("SELECT count(*) FROM webhook_delivery WHERE delivery_id = ?", delivery, 1L);
    }

    private String status(String delivery) throws SQLException {
        return query("SELECT status FROM webhook_delivery WHERE delivery_id = ?", delivery, "");
    }

    private String lastError(String delivery) throws SQLException {
        return query("SELECT last_error FROM webhook_delivery WHERE delivery_id = ?", delivery, "");
    }

    private int attempts(String delivery) throws SQLException {
        return query("SELECT attempts FROM webhook_delivery WHERE delivery_id = ?", delivery, 1);
    }

    @SuppressWarnings("unchecked")
    private <T> T query(String sql, String param, T kind) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Object v = kind instanceof Long ? rs.getLong(1) : kind instanceof Integer ? rs.getInt(1)
                        : rs.getString(1);
                return (T) v;
            }
        }
    }
}

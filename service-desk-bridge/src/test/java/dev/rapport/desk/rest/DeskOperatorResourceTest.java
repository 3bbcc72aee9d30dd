package dev.rapport.desk.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * An operator sees what the bridge set aside, with the reason, and puts it back in line once the cause is fixed: a
 * delivery whose requester has neither email nor phone, an escalation the desk refused. Only an admin may; a bad
 * status, limit or id is a 400 or 404 naming it, and changes nothing.
 */
@QuarkusTest
class DeskOperatorResourceTest {

    @Inject
    AgroalDataSource db;

    @Test
    void anUnprocessableDeliveryIsListedWithItsReasonAndCanBePutBackInLine() throws SQLException {
        String delivery = "zd-" + UUID.randomUUID();
        WebhooksResourceTest.zendesk(WebhooksResourceTest.ticket(delivery, "Z-77", "open", null)).statusCode(200);
        Await.until(() -> listed(delivery) != null, "set aside and listed");
        JsonPath listed = listed(delivery);
        assertThat(listed.getString("lastError")).contains("neither an email nor a phone");
        assertThat(listed.getString("ticketId")).isEqualTo("Z-77");
        assertThat(listed.getString("status")).isEqualTo("unprocessable");
        long id = listed.getLong("id");

        admin().when().post("/api/v1/desk/deliveries/" + id + "/retry").then().statusCode(200)
                .body("status", equalTo("pending"));
        // the requester still has no contact: it is set aside again, with its reason, and never dropped
        Await.until(() -> listed(delivery) != null && query("SELECT attempts FROM webhook_delivery WHERE id = ?", id)
                >= 2, "tried again and set aside again");
        admin().when().post("/api/v1/desk/deliveries/999999999/retry").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aFailedEscalationIsListedAndRetriedOnce() throws SQLException {
        String conversation = "conv-" + UUID.randomUUID();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO escalation (conversation_id, profile_id, channel, source, identifiers, reason,
                    trigger_event_id, status, ticket_id, attempts, next_attempt_at, last_error, created_at)
                VALUES (?, 'p-ops', 'sms', null, '{"email":"ops@example.com"}', 'unhappy: «ужасно»', 'e-1', 'failed', '9001', 7, now(),
                    'profile-service refused the ticket_opened event', now())""")) {
            s.setString(1, conversation);
            s.executeUpdate();
        }
        JsonPath failed = admin().queryParam("limit", 500).when().get("/api/v1/desk/escalations").then()
                .statusCode(200).extract().jsonPath();
        assertThat(failed.getList("conversationId", String.class)).contains(conversation);
        assertThat(failed.getString("find { it.conversationId == '" + conversation + "' }.lastError"))
                .contains("refused");

        admin().when().post("/api/v1/desk/escalations/" + conversation + "/retry").then().statusCode(204);
        // back to recording the ticket on the profile (profile-service is not up beside these tests: it waits)
        assertThat(status(conversation)).isEqualTo("created");
        admin().when().post("/api/v1/desk/escalations/" + conversation + "/retry").then().statusCode(404);
    }

    @Test
    void onlyAnAdminMayAndBadQueriesAreNamed() {
        given().when().get("/api/v1/desk/deliveries").then().statusCode(401);
        given().auth().oauth2(TestTokens.user("agent")).when().get("/api/v1/desk/deliveries").then().statusCode(403);
        given().auth().oauth2(TestTokens.user("agent")).when().post("/api/v1/desk/deliveries/1/retry").then()
                .statusCode(403);
        admin().queryParam("status", "lost").when().get("/api/v1/desk/deliveries").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
        admin().queryParam("limit", 0).when().get("/api/v1/desk/deliveries").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        admin().queryParam("before", -3).when().get("/api/v1/desk/deliveries").then().statusCode(400)
                .body("errors[0].field", equalTo("before"));
        admin().queryParam("limit", "many").when().get("/api/v1/desk/escalations").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        admin().queryParam("status", "solved").when().get("/api/v1/desk/escalations").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
        admin().when().post("/api/v1/desk/deliveries/abc/retry").then().statusCode(404);
    }

    private static RequestSpecification admin() {
        return given().auth().oauth2(TestTokens.user("admin"));
    }

    private static JsonPath listed(String delivery) {
        JsonPath page = admin().queryParam("limit", 500).when().get("/api/v1/desk/deliveries").then().statusCode(200)
                .extract().jsonPath();
        Object found = page.get("find { it.deliveryId == '" + delivery + "' }");
        return found == null ? null : new JsonPath(page.prettify()).setRootPath("find { it.deliveryId == '" + delivery
                + "' }");
    }

    private long query(String sql, long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : -1;
            }
        }
    }

    private String status(String conversation) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT status FROM escalation WHERE conversation_id = ?")) {
            s.setString(1, conversation);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}

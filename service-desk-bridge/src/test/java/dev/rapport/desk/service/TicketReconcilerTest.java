package dev.rapport.desk.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.desk.ZendeskStubResource;
import dev.rapport.stubs.ZendeskStub;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The mirror reconciled against Zendesk's ticket API (the stand-in speaks its format): a ticket open for longer than
 * reconcile-after that Zendesk says is solved, or no longer has, is closed with its reason through a stored delivery
 * (recorded as ticket_resolved like a webhook); one still open is left open and not asked again until reconcile-every;
 * a Zendesk that fails changes nothing.
 */
@QuarkusTest
class TicketReconcilerTest {

    @Inject
    TicketReconciler reconciler;
    @Inject
    AgroalDataSource db;

    ZendeskStub zendesk = ZendeskStubResource.zendesk();

    @Test
    void ticketsZendeskSolvedOrNoLongerHasAreClosedWithTheReasonAndOpenOnesLeftOpen() throws SQLException {
        clearDue();
        long solved = zendesk.open("Заказ не пришёл", "open");
        zendesk.setStatus(solved, "solved");
        long open = zendesk.open("Возврат", "pending");
        long gone = zendesk.open("Спам", "open");
        zendesk.delete(gone);
        long young = zendesk.open("Только что", "solved");
        mirror(solved, Duration.ofDays(2));
        mirror(open, Duration.ofDays(2));
        mirror(gone, Duration.ofDays(3));
        mirror(young, Duration.ofMinutes(5));

        assertThat(reconciler.round().await().atMost(Duration.ofSeconds(20))).isEqualTo(2);

        assertThat(delivery(solved)).contains("\"status\":\"solved\"").contains("its webhook did not arrive");
        assertThat(delivery(gone)).contains("\"status\":\"closed\"").contains("no longer has the ticket");
        assertThat(delivery(open)).as("still open in Zendesk").isNull();
        assertThat(delivery(young)).as("not open long enough to be checked").isNull();
        assertThat(checked(open)).isNotNull();
        assertThat(checked(young)).isNull();

        int asked = zendesk.tickets().size();
        long before = requests();
        assertThat(reconciler.round().await().atMost(Duration.ofSeconds(20))).isZero();
        assertThat(requests()).as("nothing asked again before reconcile-every").isEqualTo(before);
        assertThat(zendesk.tickets()).hasSize(asked);
    }

    @Test
    void aZendeskThatFailsClosesNothing() throws SQLException {
        clearDue();
        long solved = zendesk.open("Нет ответа", "solved");
        mirror(solved, Duration.ofDays(2));
        zendesk.failNext(503, 1);
        assertThat(reconciler.round().await().atMost(Duration.ofSeconds(20))).isZero();
        assertThat(delivery(solved)).isNull();
        assertThat(status(solved)).isEqualTo("open");
    }

    /** Marks every open ticket of earlier tests checked, so a round sees only this test's. */
    private void clearDue() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE ticket SET checked_at = now() WHERE status = 'open'")) {
            s.executeUpdate();
        }
    }

    private void mirror(long zendeskId, Duration age) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO ticket (id, desk, external_id, profile_id, subject, status, opened_at, updated_at, changed_at,
                                    requester_email)
                VALUES (?, 'zendesk', ?, ?, 'subject', 'open', ?, ?, ?, ?)""")) {
            Timestamp at = Timestamp.from(Instant.now().minus(age));
            s.setString(1, "zendesk-" + zendeskId);
            s.setString(2, String.valueOf(zendeskId));
            s.setString(3, UUID.randomUUID().toString());
            s.setTimestamp(4, at);
            s.setTimestamp(5, at);
            s.setTimestamp(6, at);
            s.setString(7, "p-" + zendeskId + "@example.com");
            s.executeUpdate();
        }
    }

    private String delivery(long zendeskId) throws SQLException {
        return one("SELECT body FROM webhook_delivery WHERE desk = 'zendesk' AND ticket_id = ? "
                + "AND delivery_id LIKE 'reconcile:%'", String.valueOf(zendeskId));
    }

    private String checked(long zendeskId) throws SQLException {
        return one("SELECT checked_at::text FROM ticket WHERE external_id = ?", String.valueOf(zendeskId));
    }

    private String status(long zendeskId) throws SQLException {
        return one("SELECT status FROM ticket WHERE external_id = ?", String.valueOf(zendeskId));
    }

    private long requests() {
        return io.restassured.RestAssured.given().baseUri(zendeskBase()).get("/_received").jsonPath()
                .getList("zendesk").size();
    }

    private static String zendeskBase() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("rapport.desk.zendesk-api-url", String.class).replace("/zendesk", "");
    }

    private String one(String sql, String param) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}

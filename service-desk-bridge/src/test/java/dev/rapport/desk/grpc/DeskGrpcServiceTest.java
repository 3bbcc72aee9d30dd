package dev.rapport.desk.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.grpc.GrpcErrors;
import dev.rapport.proto.desk.v1.DeskService;
import dev.rapport.proto.desk.v1.ListOpenTicketsRequest;
import dev.rapport.proto.desk.v1.ListOpenTicketsResponse;
import dev.rapport.proto.desk.v1.Ticket;
import dev.rapport.proto.desk.v1.TicketStatus;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Calls the bridge through the gRPC client every Rapport service uses: it fetches its own client-credentials token from
 * Keycloak and puts it on the call.
 */
@QuarkusTest
class DeskGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @GrpcClient("desk")
    DeskService desk;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void listsAPersonsOpenTicketsNewestFirstToAServiceCaller() throws SQLException {
        String profile = "p-" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        insert("zendesk", "Z-" + UUID.randomUUID(), profile, "Broken hoop", "open", now.minusSeconds(3600));
        String newest = insert("freshdesk", "F-" + UUID.randomUUID(), profile, "Late delivery", "open", now);
        insert("zendesk", "Z-" + UUID.randomUUID(), profile, "Old question", "solved", now.minusSeconds(7200));
        insert("zendesk", "Z-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), "Someone else", "open", now);

        ListOpenTicketsResponse response = desk
                .listOpenTickets(ListOpenTicketsRequest.newBuilder().setProfileId(profile).build())
                .await().atMost(WAIT);

        assertThat(response.getTicketsList()).extracting(Ticket::getSubject)
                .containsExactly("Late delivery", "Broken hoop");
        Ticket first = response.getTickets(0);
        assertThat(first.getId()).isEqualTo(newest);
        assertThat(first.getDesk()).isEqualTo("freshdesk");
        assertThat(first.getProfileId()).isEqualTo(profile);
        assertThat(first.getStatus()).isEqualTo(TicketStatus.TICKET_STATUS_OPEN);
        assertThat(first.getOpenedAt().getSeconds()).isEqualTo(now.getEpochSecond());
    }

    @Test
    void answersAnEmptyListForAPersonWithoutTickets() {
        ListOpenTicketsResponse response = desk
                .listOpenTickets(ListOpenTicketsRequest.newBuilder().setProfileId("p-" + UUID.randomUUID()).build())
                .await().atMost(WAIT);
        assertThat(response.getTicketsList()).isEmpty();
    }

    @Test
    void refusesARequestWithoutProfileIdNamingTheField() {
        assertThatThrownBy(() -> desk.listOpenTickets(ListOpenTicketsRequest.getDefaultInstance()).await().atMost(WAIT))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("profileId");
                    assertThat(GrpcErrors.reasonOf(e)).isEqualTo("invalid_request");
                    assertThat(e.getTrailers().getAll(GrpcErrors.FIELD_KEY)).containsExactly("profileId: is required");
                });
    }

    private String insert(String deskName, String externalId, String profileId, String subject, String status,
            Instant openedAt) throws SQLException {
        String id = deskName + "-" + externalId;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO ticket (id, desk, external_id, profile_id, subject, status, opened_at, updated_at, "
                        + "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, deskName);
            s.setString(3, externalId);
            s.setString(4, profileId);
            s.setString(5, subject);
            s.setString(6, status);
            s.setTimestamp(7, Timestamp.from(openedAt));
            s.setTimestamp(8, Timestamp.from(openedAt));
            s.setTimestamp(9, Timestamp.from(openedAt));
            s.executeUpdate();
        }
        return id;
    }
}

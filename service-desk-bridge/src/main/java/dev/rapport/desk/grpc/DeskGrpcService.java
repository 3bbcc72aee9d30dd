package dev.rapport.desk.grpc;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;

import com.google.protobuf.Timestamp;

import dev.rapport.common.security.Roles;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.service.TicketService;
import dev.rapport.proto.desk.v1.ListOpenTicketsRequest;
import dev.rapport.proto.desk.v1.ListOpenTicketsResponse;
import dev.rapport.proto.desk.v1.MutinyDeskServiceGrpc;
import dev.rapport.proto.desk.v1.TicketStatus;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of the bridge ({@code rapport.desk.v1.DeskService}), for Rapport's other services only: every call needs
 * a client-credentials token with the {@code service} role. RPCs not yet built answer {@code UNIMPLEMENTED}.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class DeskGrpcService extends MutinyDeskServiceGrpc.DeskServiceImplBase {

    private final TicketService tickets;

    public DeskGrpcService(TicketService tickets) {
        this.tickets = tickets;
    }

    @Override
    public Uni<ListOpenTicketsResponse> listOpenTickets(ListOpenTicketsRequest request) {
        return tickets.openTickets(request.getProfileId()).map(list -> {
            ListOpenTicketsResponse.Builder response = ListOpenTicketsResponse.newBuilder();
            list.forEach(t -> response.addTickets(toProto(t)));
            return response.build();
        });
    }

    static dev.rapport.proto.desk.v1.Ticket toProto(Ticket t) {
        dev.rapport.proto.desk.v1.Ticket.Builder b = dev.rapport.proto.desk.v1.Ticket.newBuilder()
                .setId(t.id())
                .setDesk(t.desk())
                .setExternalId(t.externalId())
                .setStatus(t.open() ? TicketStatus.TICKET_STATUS_OPEN : TicketStatus.TICKET_STATUS_SOLVED)
                .setOpenedAt(timestamp(t.openedAt()))
                .setUpdatedAt(timestamp(t.updatedAt()));
        if (t.profileId() != null) {
            b.setProfileId(t.profileId());
        }
        if (t.subject() != null) {
            b.setSubject(t.subject());
        }
        return b.build();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}

package dev.rapport.desk.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.repository.TicketStore;
import io.smallrye.mutiny.Uni;

/** Questions about the tickets the bridge mirrors. */
@ApplicationScoped
public class TicketService {

    private final TicketStore tickets;

    public TicketService(TicketStore tickets) {
        this.tickets = tickets;
    }

    /** Open tickets of a person, newest first. */
    public Uni<List<Ticket>> openTickets(String profileId) {
        if (profileId == null || profileId.isBlank()) {
            return Uni.createFrom().failure(RapportException.invalidField("profileId", "is required"));
        }
        return tickets.openTickets(profileId)
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The desk database"));
    }
}

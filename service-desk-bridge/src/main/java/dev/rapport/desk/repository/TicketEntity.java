package dev.rapport.desk.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.rapport.desk.Ticket;

/** A row of the ticket mirror. */
@Entity
@Table(name = "ticket")
public class TicketEntity {

    /** Status of an open ticket. */
    public static final String OPEN = "open";
    /** Status of a solved or closed ticket. */
    public static final String SOLVED = "solved";

    @Id
    public String id;
    @Column(nullable = false)
    public String desk;
    @Column(name = "external_id", nullable = false)
    public String externalId;
    @Column(name = "profile_id")
    public String profileId;
    public String subject;
    @Column(nullable = false)
    public String status;
    @Column(name = "opened_at", nullable = false)
    public Instant openedAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public Ticket toTicket() {
        return new Ticket(id, desk, externalId, profileId, subject, OPEN.equals(status), openedAt, updatedAt);
    }
}

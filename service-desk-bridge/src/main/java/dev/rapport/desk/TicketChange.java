package dev.rapport.desk;

import java.time.Instant;

/**
 * What one desk webhook says about one ticket, in one form whatever the desk.
 *
 * @param desk {@code zendesk}, {@code freshdesk} or {@code generic}
 * @param deliveryId the delivery's id (the desk's event id, or a digest of the body): a redelivery has the same
 * @param ticketId the desk's own ticket id
 * @param open whether the ticket is open (new, open, pending, on hold) rather than solved or closed
 * @param status the desk's status, lower-cased
 * @param subject the subject, or null
 * @param email the requester's email, or null
 * @param phone the requester's phone, or null
 * @param at when the ticket changed (the desk's time), or null when the webhook does not say
 * @param satisfaction a satisfaction rating given with it ({@code good}, {@code ok}, {@code bad}), or null
 * @param reason why the ticket changed, when the sender says (the reconciler does), or null
 */
public record TicketChange(String desk, String deliveryId, String ticketId, boolean open, String status, String subject,
        String email, String phone, Instant at, String satisfaction, String reason) {

    /** The same change, its requester named by the email and phone given (those the mirror holds). */
    public TicketChange withRequester(String requesterEmail, String requesterPhone) {
        return new TicketChange(desk, deliveryId, ticketId, open, status, subject, requesterEmail, requesterPhone, at,
                satisfaction, reason);
    }

    /** The ticket's id in Rapport: the desk and its own id, so two desks' ticket 42 are two tickets. */
    public String rapportTicketId() {
        return desk + "-" + ticketId;
    }

    /** Whether the webhook names a requester Rapport can find a person by. */
    public boolean hasRequester() {
        return email != null || phone != null;
    }
}

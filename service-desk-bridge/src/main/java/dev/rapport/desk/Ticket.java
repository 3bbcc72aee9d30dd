package dev.rapport.desk;

import java.time.Instant;

/**
 * A service-desk ticket as the bridge mirrors it.
 *
 * @param id Rapport's ticket id
 * @param desk the desk it lives in: {@code zendesk}, {@code freshdesk} or {@code generic}
 * @param externalId the desk's own id
 * @param profileId the requester's profile, when known
 * @param subject the ticket subject
 * @param open whether the ticket is open (open or pending in the desk)
 * @param openedAt when it was opened
 * @param updatedAt when it last changed
 * @param requesterEmail the requester's email as the desk last sent it, or null
 * @param requesterPhone the requester's phone as the desk last sent it, or null
 */
public record Ticket(String id, String desk, String externalId, String profileId, String subject, boolean open,
        Instant openedAt, Instant updatedAt, String requesterEmail, String requesterPhone) {
}

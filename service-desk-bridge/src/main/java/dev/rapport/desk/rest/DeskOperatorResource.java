package dev.rapport.desk.rest;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.common.text.StorableText;
import dev.rapport.desk.repository.DeliveryStore;
import dev.rapport.desk.repository.DeliveryStore.Kept;
import dev.rapport.desk.repository.EscalationStore;
import dev.rapport.desk.repository.EscalationStore.Escalation;
import io.smallrye.mutiny.Uni;

/**
 * What the bridge set aside, for an operator (role {@code admin}): desk deliveries it can never record (a requester
 * with neither email nor phone, an event profile-service refuses) and escalations whose ticket the desk would not
 * create, each with its reason; and a way to put one back in line once the cause is fixed. Nothing set aside is
 * dropped.
 */
@Path("/api/v1/desk")
@Tag(name = "desk operations")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class DeskOperatorResource {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final Set<String> DELIVERY_STATUSES = Set.of("pending", "recorded", "unprocessable");
    private static final Set<String> ESCALATION_STATUSES = Set.of("pending", "created", "opened", "failed");

    /** A desk delivery as received, with what became of it (its body stays in the database: it holds contacts). */
    public record DeliveryView(long id, String desk, String deliveryId, String ticketId, String status, int attempts,
            String lastError, Instant receivedAt, Instant recordedAt, String profileId) {
    }

    /** An escalation of a conversation (the customer's contacts stay in the database). */
    public record EscalationView(String conversationId, String profileId, String channel, String source,
            String reason, String status, String ticketId, int attempts, String lastError, Instant createdAt) {
    }

    private final DeliveryStore deliveries;
    private final EscalationStore escalations;
    private final Clock clock;

    public DeskOperatorResource(DeliveryStore deliveries, EscalationStore escalations, Clock clock) {
        this.deliveries = deliveries;
        this.escalations = escalations;
        this.clock = clock;
    }

    @GET
    @Path("/deliveries")
    @Operation(summary = "Desk deliveries in a status (unprocessable by default), newest first, with their reason")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DeliveryView[].class)))
    @APIResponse(responseCode = "400", description = "An unknown status, a bad limit or cursor (named)", content =
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<DeliveryView>> deliveries(@QueryParam("status") String status,
            @QueryParam("before") String before, @QueryParam("limit") String limit) {
        String s = status == null ? "unprocessable" : status;
        if (!DELIVERY_STATUSES.contains(s)) {
            throw RapportException.invalidField("status", "must be pending, recorded or unprocessable");
        }
        Long cursor = before == null ? null : number("before", before, 1, Long.MAX_VALUE, "a delivery id (1 or more)");
        return deliveries.list(s, cursor, limit(limit)).map(l -> l.stream().map(DeskOperatorResource::view).toList());
    }

    @POST
    @Path("/deliveries/{id}/retry")
    @Operation(summary = "Puts an unprocessable delivery back in line to be recorded now")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DeliveryView.class)))
    @APIResponse(responseCode = "404", description = "No unprocessable delivery has this id", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<DeliveryView> retryDelivery(@PathParam("id") long id) {
        return deliveries.retry(id, clock.instant()).map(k -> {
            if (k == null) {
                throw RapportException.notFound("delivery_not_found", "No unprocessable delivery has the id " + id
                        + ".");
            }
            return view(k);
        });
    }

    @GET
    @Path("/escalations")
    @Operation(summary = "Escalations in a status (failed by default), newest first, with their reason")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = EscalationView[].class)))
    @APIResponse(responseCode = "400", description = "An unknown status or a bad limit (named)", content =
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<EscalationView>> escalations(@QueryParam("status") String status,
            @QueryParam("limit") String limit) {
        String s = status == null ? "failed" : status;
        if (!ESCALATION_STATUSES.contains(s)) {
            throw RapportException.invalidField("status", "must be pending, created, opened or failed");
        }
        return escalations.list(s, limit(limit)).map(l -> l.stream().map(DeskOperatorResource::view).toList());
    }

    @POST
    @Path("/escalations/{conversationId}/retry")
    @Operation(summary = "Puts a failed escalation back in line: its ticket is created (or recorded) again")
    @APIResponse(responseCode = "204", description = "In line again")
    @APIResponse(responseCode = "404", description = "No failed escalation of this conversation", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Void> retryEscalation(@PathParam("conversationId") String conversationId) {
        if (StorableText.nameProblem(conversationId, 256) != null) {
            throw RapportException.invalidField("conversationId", StorableText.nameProblem(conversationId, 256));
        }
        return escalations.retry(conversationId, clock.instant()).map(found -> {
            if (!found) {
                throw new RapportException(ErrorKind.NOT_FOUND, "escalation_not_found", "No failed escalation of "
                        + "the conversation " + conversationId + ".");
            }
            return null;
        });
    }

    private static int limit(String limit) {
        return limit == null ? DEFAULT_LIMIT : (int) number("limit", limit, 1, MAX_LIMIT, "between 1 and "
                + MAX_LIMIT);
    }

    private static long number(String field, String text, long min, long max, String what) {
        try {
            long n = Long.parseLong(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw RapportException.invalidField(field, "must be " + what);
    }

    private static DeliveryView view(Kept k) {
        return new DeliveryView(k.id(), k.desk(), k.deliveryId(), k.ticketId(), k.status(), k.attempts(),
                k.lastError(), k.receivedAt(), k.recordedAt(), k.profileId());
    }

    private static EscalationView view(Escalation e) {
        return new EscalationView(e.conversationId(), e.profileId(), e.channel(), e.source(), e.reason(), e.status(),
                e.ticketId(), e.attempts(), e.lastError(), e.createdAt());
    }
}

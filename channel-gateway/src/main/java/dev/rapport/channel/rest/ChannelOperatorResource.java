package dev.rapport.channel.rest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
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

import dev.rapport.channel.repository.CallbackStore;
import dev.rapport.channel.repository.CallbackStore.Kept;
import dev.rapport.channel.webhook.CallbackApplier;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Pages;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import io.smallrye.mutiny.Uni;

/**
 * What the gateway set aside, for an operator (role {@code admin}): provider callbacks it could not apply (a report on
 * a message it never had, an inbound message profile-service refused), each with its reason, and a way to put one back
 * in line once the cause is fixed. Nothing set aside is dropped. Lists page as every list does: {@code limit} and an
 * opaque {@code cursor}, answered with {@code items} and {@code nextCursor}.
 */
@Path("/api/v1/channel")
@Tag(name = "channel operations")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class ChannelOperatorResource {

    private static final Set<String> STATUSES = Set.of("pending", "applied", "unprocessable");

    /** A provider callback as received, with what became of it (its payload stays in the database: it holds contacts). */
    public record CallbackView(long id, String provider, String eventId, String kind, String status, int attempts,
            String lastError, Instant receivedAt, Instant appliedAt) {
    }

    /** A page of callbacks. */
    public record CallbackPage(List<CallbackView> items, String nextCursor) {
    }

    private final CallbackStore callbacks;
    private final CallbackApplier applier;
    private final Clock clock;

    public ChannelOperatorResource(CallbackStore callbacks, CallbackApplier applier, Clock clock) {
        this.callbacks = callbacks;
        this.applier = applier;
        this.clock = clock;
    }

    @GET
    @Path("/callbacks")
    @Operation(summary = "Provider callbacks in a status (unprocessable by default), newest first, with their reason")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CallbackPage.class)))
    @APIResponse(responseCode = "400", description = "An unknown status, a bad limit or cursor (named)", content =
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<CallbackPage> callbacks(@QueryParam("status") String status, @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        String s = status == null ? "unprocessable" : status;
        if (!STATUSES.contains(s)) {
            throw RapportException.invalidField("status", "must be pending, applied or unprocessable");
        }
        int n = Pages.limit(limit);
        return callbacks.list(s, before(cursor), n + 1).map(found -> {
            List<CallbackView> items = found.stream().limit(n).map(ChannelOperatorResource::view).toList();
            String next = found.size() > n ? Base64.getUrlEncoder().withoutPadding().encodeToString(
                    Long.toString(items.get(items.size() - 1).id()).getBytes(StandardCharsets.US_ASCII)) : null;
            return new CallbackPage(items, next);
        });
    }

    @POST
    @Path("/callbacks/{id}/retry")
    @Operation(summary = "Puts an unprocessable callback back in line to be applied now")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CallbackView.class)))
    @APIResponse(responseCode = "404", description = "No unprocessable callback has this id", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<CallbackView> retry(@PathParam("id") long id) {
        return callbacks.retry(id, clock.instant()).map(k -> {
            if (k == null) {
                throw RapportException.notFound("callback_not_found", "No unprocessable callback has the id " + id
                        + ".");
            }
            applier.wake();
            return view(k);
        });
    }

    private static Long before(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            long id = Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII));
            if (id > 0) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw RapportException.invalidField("cursor", "is not a cursor this list gave");
    }


    private static CallbackView view(Kept k) {
        return new CallbackView(k.id(), k.provider(), k.eventId(), k.kind(), k.status(), k.attempts(), k.lastError(),
                k.receivedAt(), k.appliedAt());
    }
}

package dev.rapport.profile.rest;

import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.profile.RawEvent;
import dev.rapport.profile.service.EventIntake;
import io.smallrye.mutiny.Uni;

/** Event intake: one event or a batch, each accepted or rejected on its own. */
@Path("/api/v1/events")
@Tag(name = "events")
@SecurityRequirement(name = "bearer")
public class EventsResource {

    private final EventIntake intake;

    public EventsResource(EventIntake intake) {
        this.intake = intake;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.INTEGRATOR, Roles.ADMIN })
    @Operation(summary = "Record one event, or a batch of up to 1000 as {\"events\":[…]}",
            description = "Each event is resolved to one profile and stored once (idempotent on its id). Valid events "
                    + "of a batch are stored even when others are rejected; a batch with none valid is refused.")
    @RequestBody(content = @Content(schema = @Schema(oneOf = { EventDocument.class, EventBatchDocument.class })))
    @APIResponse(responseCode = "202", description = "Accepted and rejected events",
            content = @Content(schema = @Schema(implementation = IntakeResponse.class)))
    @APIResponse(responseCode = "400", description = "Invalid body, or no valid event",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "No valid token")
    @APIResponse(responseCode = "403", description = "Role integrator needed")
    @APIResponse(responseCode = "413", description = "Body over 1 MiB")
    public Uni<Response> record(JsonNode body) {
        boolean batch = body != null && body.isObject() && body.has("events");
        List<RawEvent> events = items(body, batch).stream().map(EventJson::read).toList();
        return intake.submit(events, batch).map(outcome -> Response.accepted(new IntakeResponse(
                outcome.accepted().stream().map(a -> new IntakeResponse.Accepted(a.id(), a.profileId(), a.duplicate()))
                        .toList(),
                outcome.rejected().stream().map(r -> new IntakeResponse.Rejected(r.index(), r.id(), r.errors()))
                        .toList())).build());
    }

    private List<JsonNode> items(JsonNode body, boolean batch) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw RapportException.invalidField("body", "is required: an event, or {\"events\":[…]}");
        }
        if (!body.isObject()) {
            throw RapportException.invalidField("body", "must be an event object, or {\"events\":[…]}");
        }
        if (!batch) {
            return List.of(body);
        }
        JsonNode events = body.get("events");
        if (!events.isArray()) {
            throw RapportException.invalidField("events", "must be an array of events");
        }
        if (events.isEmpty()) {
            throw RapportException.invalidField("events", "must hold at least one event");
        }
        List<JsonNode> items = new ArrayList<>(events.size());
        events.forEach(items::add);
        return items;
    }

}

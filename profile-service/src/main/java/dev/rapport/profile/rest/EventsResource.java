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

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.profile.EventValidator;
import dev.rapport.profile.config.ProfileConfig;
import dev.rapport.profile.service.EventIntake;
import io.smallrye.mutiny.Uni;

/** Event intake: one event or a batch, each accepted or rejected on its own. */
@Path("/api/v1/events")
@Tag(name = "events")
@SecurityRequirement(name = "bearer")
public class EventsResource {

    private final EventIntake intake;
    private final EventValidator validator;
    private final ProfileConfig config;

    public EventsResource(EventIntake intake, EventValidator validator, ProfileConfig config) {
        this.intake = intake;
        this.validator = validator;
        this.config = config;
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
        List<JsonNode> items = items(body, batch);

        List<EventIntake.Indexed> valid = new ArrayList<>();
        List<IntakeResponse.Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            switch (validator.validate(EventJson.read(items.get(i)))) {
                case EventValidator.Valid v -> valid.add(new EventIntake.Indexed(i, v.event()));
                case EventValidator.Invalid inv -> rejected.add(new IntakeResponse.Rejected(i, idOf(items.get(i)),
                        inv.errors()));
            }
        }
        if (valid.isEmpty()) {
            List<FieldError> errors = new ArrayList<>();
            for (IntakeResponse.Rejected r : rejected) {
                String prefix = batch ? "events[" + r.index() + "]" : "";
                for (FieldError e : r.errors()) {
                    String field = e.field().isEmpty() ? (prefix.isEmpty() ? "body" : prefix)
                            : prefix.isEmpty() ? e.field() : prefix + "." + e.field();
                    errors.add(new FieldError(field, e.message()));
                }
            }
            String detail = batch ? "No event of the batch is valid; nothing was stored."
                    : "The event is invalid; nothing was stored.";
            throw RapportException.invalid(detail, errors);
        }
        return intake.record(valid).map(accepted -> Response.accepted(new IntakeResponse(
                accepted.stream().map(a -> new IntakeResponse.Accepted(a.id(), a.profileId(), a.duplicate())).toList(),
                rejected)).build());
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
        if (events.size() > config.maxBatchSize()) {
            throw RapportException.invalidField("events", "holds " + events.size() + " events; at most "
                    + config.maxBatchSize() + " are accepted per request");
        }
        List<JsonNode> items = new ArrayList<>(events.size());
        events.forEach(items::add);
        return items;
    }

    private static String idOf(JsonNode item) {
        return item != null && item.isObject() && item.path("id").isTextual() ? item.get("id").asText() : null;
    }
}

package dev.rapport.suppression.rest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Pages;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.common.text.StorableText;
import dev.rapport.common.vocabulary.Channel;
import dev.rapport.suppression.ConsentStatus;
import dev.rapport.suppression.SuppressionRules;
import dev.rapport.suppression.repository.AuditStore;
import dev.rapport.suppression.rest.Documents.AuditedDecision;
import dev.rapport.suppression.rest.Documents.ConsentDocument;
import dev.rapport.suppression.rest.Documents.ConsentRequest;
import dev.rapport.suppression.rest.Documents.ConsentsResponse;
import dev.rapport.suppression.rest.Documents.DecisionsPage;
import dev.rapport.suppression.rest.Documents.DoNotContactRequest;
import dev.rapport.suppression.rest.Documents.ReasonDocument;
import dev.rapport.suppression.rest.Documents.StatementDocument;
import dev.rapport.suppression.rest.Documents.SuppressionDocument;
import dev.rapport.suppression.rest.Documents.SuppressionsResponse;
import dev.rapport.suppression.service.Profiles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** What holds a person back now and why: suppressions in force, consents, do-not-contact, the decision audit. */
@Path("/api/v1/profiles/{id}")
@Tag(name = "profiles")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class ProfilesResource {

    /** How far ahead of now a consent statement may be dated (clocks drift). */
    static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(10);
    static final int MAX_TEXT = 256;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final Profiles profiles;
    private final SecurityIdentity identity;

    public ProfilesResource(Profiles profiles, SecurityIdentity identity) {
        this.profiles = profiles;
        this.identity = identity;
    }

    @GET
    @Path("/suppressions")
    @RolesAllowed({ Roles.INTEGRATOR, Roles.MARKETER, Roles.AGENT, Roles.ADMIN })
    @Operation(summary = "What is in force for the person now, each with rule, scope, cause and end")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = SuppressionsResponse.class)))
    public Uni<SuppressionsResponse> suppressions(@PathParam("id") String id) {
        return profiles.inForce(Paths.profileId(id)).map(f -> new SuppressionsResponse(f.profileId(),
                f.items().stream().map(i -> new SuppressionDocument(i.rule().apiName(), i.scope(), i.detail(),
                        i.sourceEventId(), i.since(), i.until())).toList()));
    }

    @GET
    @Path("/consents")
    @RolesAllowed({ Roles.INTEGRATOR, Roles.MARKETER, Roles.AGENT, Roles.ADMIN })
    @Operation(summary = "The person's consents in force and every statement received (the 500 latest)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ConsentsResponse.class)))
    public Uni<ConsentsResponse> consents(@PathParam("id") String id) {
        return profiles.consents(Paths.profileId(id)).map(ProfilesResource::consentsDocument);
    }

    @PUT
    @Path("/consents")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.INTEGRATOR, Roles.MARKETER, Roles.ADMIN })
    @Operation(summary = "Record a consent statement for a channel (or all) and topic, with its source as evidence",
            description = "The latest statement by its time is in force; every statement is kept.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ConsentsResponse.class)))
    @APIResponse(responseCode = "400", description = "Missing or invalid field; nothing recorded",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ConsentsResponse> putConsent(@PathParam("id") String id, ConsentRequest body) {
        String profileId = Paths.profileId(id);
        if (body == null) {
            throw RapportException.invalidField("body", "is required: {channel, topic, status, source}");
        }
        List<FieldError> errors = new ArrayList<>();
        String channel = body.channel() == null ? null : body.channel().strip();
        if (channel == null || channel.isEmpty()) {
            errors.add(new FieldError("channel", "is required: a channel, or all"));
        } else if (!channel.equals(SuppressionRules.ALL_CHANNELS) && Channel.fromApiName(channel).isEmpty()) {
            errors.add(new FieldError("channel", "is not a channel; use all or one of " + Channel.apiNames()));
        }
        String topic = body.topic() == null || body.topic().isBlank() ? null : body.topic().strip();
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            errors.add(new FieldError("topic", "must be 1 to 64 letters, digits or _ . : -"));
        }
        ConsentStatus status = body.status() == null ? null : ConsentStatus.fromApiName(body.status().strip()).orElse(null);
        if (status == null) {
            errors.add(new FieldError("status", "is required: opted_in or opted_out"));
        }
        String source = text(body.source(), "source", errors);
        Instant now = Instant.now();
        Instant at = body.at() == null ? now : body.at();
        if (at.isAfter(now.plus(MAX_FUTURE_SKEW))) {
            errors.add(new FieldError("at", "is in the future"));
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        return profiles.recordConsent(profileId, channel, topic, status, source, at, identity.getPrincipal().getName())
                .map(ProfilesResource::consentsDocument);
    }

    @PUT
    @Path("/do-not-contact")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.MARKETER, Roles.AGENT, Roles.ADMIN })
    @Operation(summary = "Put the person on the do-not-contact list: no marketing or service messages on any channel")
    @APIResponse(responseCode = "204", description = "On the list")
    @APIResponse(responseCode = "400", description = "Missing or invalid field",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> doNotContact(@PathParam("id") String id, DoNotContactRequest body) {
        String profileId = Paths.profileId(id);
        if (body == null) {
            throw RapportException.invalidField("body", "is required: {reason, source}");
        }
        List<FieldError> errors = new ArrayList<>();
        String reason = text(body.reason(), "reason", errors);
        String source = text(body.source(), "source", errors);
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        return profiles.doNotContact(profileId, reason, source, identity.getPrincipal().getName())
                .map(v -> Response.noContent().build());
    }

    @DELETE
    @Path("/do-not-contact")
    @RolesAllowed({ Roles.MARKETER, Roles.ADMIN })
    @Operation(summary = "Take the person off the do-not-contact list")
    @APIResponse(responseCode = "204", description = "Off the list")
    @APIResponse(responseCode = "404", description = "Not on the list",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> allowContact(@PathParam("id") String id) {
        return profiles.allowContact(Paths.profileId(id)).map(v -> Response.noContent().build());
    }

    @GET
    @Path("/decisions")
    @RolesAllowed({ Roles.INTEGRATOR, Roles.MARKETER, Roles.AGENT, Roles.ADMIN })
    @Operation(summary = "The person's committed decisions with their reasons, newest first")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DecisionsPage.class)))
    @APIResponse(responseCode = "400", description = "Bad limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<DecisionsPage> decisions(@PathParam("id") String id,
            @Parameter(description = "Page size, 1 to 500 (50)") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor) {
        String profileId = Paths.profileId(id);
        int size = Pages.limit(limit);
        Long before = Paths.cursor(cursor);
        // one row more than the page tells whether there is a next page: a full last page has no cursor
        return profiles.decisions(profileId, before, size + 1).map(rows -> {
            List<AuditStore.Recorded> page = rows.size() > size ? rows.subList(0, size) : rows;
            return new DecisionsPage(page.stream()
                    .map(r -> new AuditedDecision(r.id(), r.profileId(), r.decidedAt(), r.channel(), r.purpose(),
                            r.campaignId(), r.topic(), r.productIds(), r.categories(), r.decision(), r.retryAt(),
                            r.reasons().stream().map(ReasonDocument::of).toList(), r.caller()))
                    .toList(), rows.size() > size ? String.valueOf(page.get(page.size() - 1).id()) : null);
        });
    }

    private static ConsentsResponse consentsDocument(Profiles.Consents c) {
        return new ConsentsResponse(c.profileId(),
                c.current().stream().map(k -> new ConsentDocument(k.channel(), k.topic().isEmpty() ? null : k.topic(),
                        k.status().apiName(), k.source(), k.at(), k.eventId())).toList(),
                c.history().stream().map(h -> new StatementDocument(h.channel(), h.topic().isEmpty() ? null : h.topic(),
                        h.status(), h.source(), h.at(), h.eventId(), h.recordedAt(), h.recordedBy())).toList());
    }

    private static String text(String value, String field, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        String v = value.strip();
        String problem = StorableText.textProblem(v, MAX_TEXT);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
        }
        return v;
    }
}

package dev.rapport.profile.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.common.text.StorableText;
import dev.rapport.common.vocabulary.Channel;
import dev.rapport.profile.Identifier;
import dev.rapport.profile.IdentifierKind;
import dev.rapport.profile.IdentifierNormalizer;
import dev.rapport.profile.TimelineCursor;
import dev.rapport.profile.repository.ProfileReadStore;
import dev.rapport.profile.service.Erasure;
import dev.rapport.profile.service.ProfileQueries;
import io.smallrye.mutiny.Uni;

/** Profiles: by id, by identifier, their timelines, export and erasure. */
@Path("/api/v1/profiles")
@Tag(name = "profiles")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class ProfilesResource {

    /** Default and largest timeline page. */
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    static final int MAX_ID_LENGTH = 128;

    private final ProfileQueries queries;
    private final Erasure erasure;
    private final IdentifierNormalizer normalizer;

    public ProfilesResource(ProfileQueries queries, Erasure erasure, IdentifierNormalizer normalizer) {
        this.queries = queries;
        this.erasure = erasure;
        this.normalizer = normalizer;
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({ Roles.INTEGRATOR, Roles.ADMIN })
    @Operation(summary = "A profile with its summary; a merged-away id answers with the survivor")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ProfileResponse.class)))
    @APIResponse(responseCode = "404", description = "No such profile, or erased",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ProfileResponse> get(@PathParam("id") String id) {
        return queries.byId(checkId(id)).map(ProfileResponse::of);
    }

    @GET
    @RolesAllowed({ Roles.INTEGRATOR, Roles.ADMIN })
    @Operation(summary = "The profile one identifier belongs to",
            description = "Give exactly one of email, phone, externalId, loyaltyCard, anonymousId, deviceId, pushToken, "
                    + "telegramId, whatsappId. The value is normalised as on intake: 8 (916) 123-45-67 finds "
                    + "+79161234567.")
    @Parameter(name = "email", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "phone", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "externalId", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "loyaltyCard", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "anonymousId", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "deviceId", schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ProfileResponse.class)))
    @APIResponse(responseCode = "400", description = "No identifier, several, or a malformed one",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No profile has it",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ProfileResponse> lookup(@Context UriInfo uri) {
        return queries.byIdentifier(identifierOf(uri.getQueryParameters())).map(ProfileResponse::of);
    }

    /** A page of a timeline. */
    public record TimelineResponse(List<EventResponse> items, String nextCursor) {
    }

    @GET
    @Path("/{id}/timeline")
    @RolesAllowed({ Roles.INTEGRATOR, Roles.ADMIN })
    @Operation(summary = "Events of every channel, merged profiles included, newest first")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = TimelineResponse.class)))
    @APIResponse(responseCode = "400", description = "Bad limit, cursor or channel",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such profile",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TimelineResponse> timeline(@PathParam("id") String id,
            @Parameter(description = "Page size, 1 to 500 (50)") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "Comma-separated event types") @QueryParam("types") String types,
            @Parameter(description = "Comma-separated channels") @QueryParam("channels") String channels) {
        List<FieldError> errors = new ArrayList<>();
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.strip());
                if (size < 1 || size > MAX_LIMIT) {
                    errors.add(new FieldError("limit", "must be between 1 and " + MAX_LIMIT));
                }
            } catch (NumberFormatException e) {
                errors.add(new FieldError("limit", "must be a whole number between 1 and " + MAX_LIMIT));
            }
        }
        TimelineCursor after = null;
        if (cursor != null && !cursor.isBlank()) {
            after = TimelineCursor.decode(cursor.strip());
            if (after == null) {
                errors.add(new FieldError("cursor", "is not a cursor of a timeline page"));
            }
        }
        List<String> channelList = list(channels);
        for (String c : channelList) {
            if (Channel.fromApiName(c).isEmpty()) {
                errors.add(new FieldError("channels", "'" + c + "' is not one of " + Channel.apiNames()));
            }
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        return queries.timeline(checkId(id), list(types), channelList, after, size)
                .map(page -> new TimelineResponse(page.events().stream().map(EventResponse::of).toList(),
                        page.next() == null ? null : page.next().encode()));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Erase a person",
            description = "Erases identifiers, traits, events and summary of the profile and of every profile merged "
                    + "into it, and publishes profile_erased so the other services drop what they hold. A later event "
                    + "with the same identifiers starts a fresh profile.")
    @APIResponse(responseCode = "204", description = "Erased")
    @APIResponse(responseCode = "404", description = "No such profile, or erased already",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> erase(@PathParam("id") String id) {
        return erasure.erase(checkId(id)).map(v -> Response.noContent().build());
    }

    /** Everything held about a person. */
    public record ExportResponse(Instant exportedAt, ProfileResponse profile,
            List<ProfileReadStore.IdentifierRecord> identifiers, List<EventResponse> events,
            List<ProfileReadStore.ConflictRecord> identityConflicts, List<MergedProfileItem> mergedProfiles) {
    }

    /**
     * A profile merged into the exported one, as it was kept.
     *
     * @param id its id, which now finds the survivor
     * @param createdAt when it was made
     * @param mergedAt when it was merged
     * @param traits the traits it held when it was merged
     */
    public record MergedProfileItem(String id, Instant createdAt, Instant mergedAt, JsonNode traits) {
    }

    @GET
    @Path("/{id}/export")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Everything held about a person: profile, identifiers with first and last sighting, every "
            + "event, identity conflicts, and the profiles merged into it")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ExportResponse.class)))
    @APIResponse(responseCode = "404", description = "No such profile, or erased",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ExportResponse> export(@PathParam("id") String id) {
        return queries.export(checkId(id)).map(e -> new ExportResponse(Instant.now(), ProfileResponse.of(e.profile()),
                e.identifiers(), e.events().stream().map(EventResponse::of).toList(), e.conflicts(),
                e.merged().stream().map(m -> new MergedProfileItem(m.id(), m.createdAt(), m.mergedAt(), m.traits()))
                        .toList()));
    }

    private Identifier identifierOf(MultivaluedMap<String, String> query) {
        List<IdentifierKind> given = Arrays.stream(IdentifierKind.values())
                .filter(k -> query.containsKey(k.apiName())).toList();
        if (given.size() != 1) {
            String names = String.join(", ", Arrays.stream(IdentifierKind.values()).map(IdentifierKind::apiName).toList());
            throw RapportException.invalidField("query", given.isEmpty()
                    ? "give one identifier to look up: " + names
                    : "give exactly one identifier, not " + given.size());
        }
        IdentifierKind kind = given.get(0);
        List<String> values = query.get(kind.apiName());
        if (values.size() != 1) {
            throw RapportException.invalidField(kind.apiName(), "give it once");
        }
        return switch (normalizer.normalize(kind, values.get(0))) {
            case IdentifierNormalizer.Valid v -> v.identifier();
            case IdentifierNormalizer.Invalid inv -> throw RapportException.invalidField(kind.apiName(), inv.message());
        };
    }

    private static String checkId(String id) {
        if (id == null || id.isBlank()) {
            throw RapportException.invalidField("id", "must be a profile id of at most " + MAX_ID_LENGTH + " characters");
        }
        String problem = StorableText.nameProblem(id, MAX_ID_LENGTH);
        if (problem != null) {
            throw RapportException.invalidField("id", problem);
        }
        return id;
    }

    private static List<String> list(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }
}

package dev.rapport.campaign.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.rapport.campaign.client.ProfileClient;
import dev.rapport.campaign.repository.SegmentStore.Stored;
import dev.rapport.campaign.segment.Segments;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.proto.profile.v1.StreamAudienceResponse;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Segments (docs/api.md, campaign-service), role {@code marketer}: who a campaign is for, defined in profile-service's
 * audience format and checked by it before it is stored; the preview says how many people it holds now and shows
 * the first of them.
 */
@Path("/api/v1/segments")
@Tag(name = "segments")
@RolesAllowed({ Roles.MARKETER, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class SegmentsResource {

    /** The longest name a segment may have. */
    static final int MAX_NAME = 200;
    /** The longest description. */
    static final int MAX_DESCRIPTION = 2000;
    /** The most people a preview shows. */
    static final int MAX_SAMPLE = 50;

    /** A segment to create: a name, and a definition in profile-service's format ({@code {"condition": …}}). */
    public record SegmentRequest(String name, String description, Map<String, Object> definition) {
    }

    /** A stored segment; {@code audience} is its size when it was created. */
    public record SegmentView(String id, String name, String description, Map<String, Object> definition,
            Long audience, String createdBy, Instant createdAt) {
    }

    /** A person of a preview: the id and a few traits, never an address. */
    public record Member(String profileId, Map<String, Object> traits) {
    }

    /** How many people a segment holds now, and the first of them. */
    public record PreviewView(String segmentId, long count, List<Member> sample) {
    }

    private final Segments segments;
    private final SecurityIdentity identity;

    public SegmentsResource(Segments segments, SecurityIdentity identity) {
        this.segments = segments;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    @Operation(summary = "Creates a segment, once profile-service could evaluate it; answers its size")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = SegmentView.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON (with its position), a missing name or "
            + "definition, or a definition profile-service cannot read (each fault named by its path); nothing "
            + "stored", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation =
                    Problem.class)))
    @APIResponse(responseCode = "503", description = "profile-service cannot answer; nothing stored", content =
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<SegmentView> create(SegmentRequest request) {
        List<FieldError> errors = new ArrayList<>();
        if (request == null) {
            throw RapportException.invalidField("body", "is required");
        }
        String name = request.name() == null ? "" : request.name().strip();
        if (name.isEmpty()) {
            errors.add(new FieldError("name", "is required"));
        } else if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError("name", "must be one line of at most " + MAX_NAME + " characters"));
        }
        String description = request.description() == null || request.description().isBlank() ? null
                : request.description().strip();
        if (description != null && description.length() > MAX_DESCRIPTION) {
            errors.add(new FieldError("description", "must be at most " + MAX_DESCRIPTION + " characters"));
        }
        if (request.definition() == null || request.definition().isEmpty()) {
            errors.add(new FieldError("definition", "is required: {\"condition\": …} in profile-service's format"));
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        return segments.create(name, description, new JsonObject(request.definition()), by())
                .map(c -> view(c.segment(), c.audience()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A segment")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = SegmentView.class)))
    @APIResponse(responseCode = "404", description = "No such segment", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<SegmentView> get(@PathParam("id") String id) {
        return segments.find(id).map(s -> view(s, null));
    }

    @GET
    @Path("/{id}/preview")
    @Operation(summary = "How many people the segment holds now, and the first of them (no addresses)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PreviewView.class)))
    @APIResponse(responseCode = "400", description = "A sample outside 0 to 50", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such segment", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "profile-service cannot answer", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PreviewView> preview(@PathParam("id") String id, @QueryParam("sample") String sample) {
        int n = sample(sample);
        return segments.preview(id, n).map(p -> new PreviewView(id, p.count(), p.sample().stream()
                .map(SegmentsResource::member).toList()));
    }

    private String by() {
        return identity.isAnonymous() ? null : identity.getPrincipal().getName();
    }

    private static int sample(String sample) {
        if (sample == null || sample.isBlank()) {
            return 10;
        }
        try {
            int n = Integer.parseInt(sample.strip());
            if (n >= 0 && n <= MAX_SAMPLE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw RapportException.invalidField("sample", "must be a whole number from 0 to " + MAX_SAMPLE);
    }

    private static SegmentView view(Stored s, Long audience) {
        return new SegmentView(s.id(), s.name(), s.description(), s.definition().getMap(), audience, s.createdBy(),
                s.createdAt());
    }

    private static Member member(StreamAudienceResponse r) {
        return new Member(r.getProfileId(), ProfileClient.plain(r.getTraits()));
    }
}

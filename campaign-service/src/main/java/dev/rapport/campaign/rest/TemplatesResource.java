package dev.rapport.campaign.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import dev.rapport.campaign.repository.TemplateStore.Stored;
import dev.rapport.campaign.template.Renderer.Rendered;
import dev.rapport.campaign.template.Templates;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Templates (docs/api.md, campaign-service), role {@code marketer}: a message's parts per channel in Qute, checked
 * before they are stored, and rendered for one person to see what they would receive, with the SMS parts it takes.
 */
@Path("/api/v1/templates")
@Tag(name = "templates")
@RolesAllowed({ Roles.MARKETER, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class TemplatesResource {

    /** The longest name. */
    static final int MAX_NAME = 200;
    /** The longest part (an email's HTML included). */
    static final int MAX_PART = 100_000;

    /** A template to create: the parts its channel uses, in Qute ({@code {greeting}}, {@code {person.firstName}}). */
    public record TemplateRequest(String name, String channel, String subject, String html, String text,
            String title, String body) {
    }

    /** A stored template. */
    public record TemplateView(String id, String name, String channel, String subject, String html, String text,
            String title, String body, String createdBy, Instant createdAt) {
    }

    /** Whom to render it for. */
    public record RenderRequest(String profileId) {
    }

    private final Templates templates;
    private final SecurityIdentity identity;

    public TemplatesResource(Templates templates, SecurityIdentity identity) {
        this.templates = templates;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    @Operation(summary = "Creates a template, once every part parses and the channel has the parts it needs")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = TemplateView.class)))
    @APIResponse(responseCode = "400", description = "A part that does not parse (with its line and column), a "
            + "part the channel needs missing, a bad name or channel; nothing stored", content = @Content(mediaType =
                    Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TemplateView> create(TemplateRequest r) {
        if (r == null) {
            throw RapportException.invalidField("body", "is required");
        }
        List<FieldError> errors = new ArrayList<>();
        String name = r.name() == null ? "" : r.name().strip();
        if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError("name", "is required: one line of at most " + MAX_NAME + " characters"));
        }
        if (r.channel() == null || r.channel().isBlank()) {
            errors.add(new FieldError("channel", "is required: email, sms, push or messenger"));
        }
        String[][] parts = { { "subject", r.subject() }, { "html", r.html() }, { "text", r.text() },
            { "title", r.title() }, { "body", r.body() } };
        for (String[] p : parts) {
            if (p[1] != null && p[1].length() > MAX_PART) {
                errors.add(new FieldError(p[0], "must be at most " + MAX_PART + " characters"));
            }
        }
        if (r.subject() != null && r.subject().contains("\n")) {
            errors.add(new FieldError("subject", "must be one line"));
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        return templates.create(name, r.channel().strip(), r.subject(), r.html(), r.text(), r.title(), r.body(),
                identity.isAnonymous() ? null : identity.getPrincipal().getName()).map(TemplatesResource::view);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A template")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = TemplateView.class)))
    @APIResponse(responseCode = "404", description = "No such template", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<TemplateView> get(@PathParam("id") String id) {
        return templates.find(id).map(TemplatesResource::view);
    }

    @POST
    @Path("/{id}/render")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "The template rendered for one person, as they would receive it, with its SMS parts")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Rendered.class)))
    @APIResponse(responseCode = "400", description = "No profileId", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such template", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "profile-service has no such person (unknown_profile), or a "
            + "part cannot be rendered for them (render_failed, the part named)", content = @Content(mediaType =
                    Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "profile-service cannot answer", content = @Content(mediaType =
            Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Rendered> render(@PathParam("id") String id, RenderRequest r) {
        if (r == null || r.profileId() == null || r.profileId().isBlank()) {
            throw RapportException.invalidField("profileId", "is required");
        }
        return templates.render(id, r.profileId().strip());
    }

    private static TemplateView view(Stored t) {
        return new TemplateView(t.id(), t.name(), t.channel(), t.subject(), t.html(), t.text(), t.title(), t.body(),
                t.createdBy(), t.createdAt());
    }
}

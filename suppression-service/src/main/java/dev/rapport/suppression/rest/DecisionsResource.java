package dev.rapport.suppression.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.suppression.ContactRequests;
import dev.rapport.suppression.rest.Documents.DecisionRequest;
import dev.rapport.suppression.rest.Documents.DecisionResponse;
import dev.rapport.suppression.service.Decisions;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Decisions: may this person be contacted, about this, on this channel, now — and why. */
@Path("/api/v1/decisions")
@Tag(name = "decisions")
@SecurityRequirement(name = "bearer")
public class DecisionsResource {

    private final Decisions decisions;
    private final SecurityIdentity identity;

    public DecisionsResource(Decisions decisions, SecurityIdentity identity) {
        this.decisions = decisions;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.INTEGRATOR, Roles.MARKETER, Roles.ADMIN })
    @Operation(summary = "Decide one contact: allow, deny or defer, with every reason that applies",
            description = "An unknown profile is denied as unreachable. With commit, an allow takes a place under the "
                    + "contact-pressure caps atomically and the decision is kept in the audit.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DecisionResponse.class)))
    @APIResponse(responseCode = "400", description = "Missing or invalid field",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "No valid token")
    @APIResponse(responseCode = "403", description = "Role integrator or marketer needed")
    public Uni<DecisionResponse> decide(DecisionRequest body) {
        if (body == null) {
            throw RapportException.invalidField("body", "is required: {profileId, channel, purpose, …}");
        }
        var request = ContactRequests.check(new ContactRequests.Raw(body.profileId(), body.channel(), body.purpose(),
                body.campaignId(), body.productIds(), body.categories(), body.topic(),
                Boolean.TRUE.equals(body.commit())), "");
        return decisions.decide(request, identity.getPrincipal().getName()).map(DecisionResponse::of);
    }
}

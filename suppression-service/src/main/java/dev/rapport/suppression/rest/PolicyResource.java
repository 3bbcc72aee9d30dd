package dev.rapport.suppression.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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
import dev.rapport.suppression.Policy;
import dev.rapport.suppression.repository.PolicyStore;
import dev.rapport.suppression.rest.Documents.CapDocument;
import dev.rapport.suppression.rest.Documents.PolicyDocument;
import dev.rapport.suppression.rest.Documents.QuietHoursDocument;
import dev.rapport.suppression.service.Policies;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The contact policy: caps, quiet hours, the purchased and declined periods, the ticket grace period. */
@Path("/api/v1/policy")
@Tag(name = "policy")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private final Policies policies;
    private final SecurityIdentity identity;

    public PolicyResource(Policies policies, SecurityIdentity identity) {
        this.policies = policies;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({ Roles.MARKETER, Roles.ADMIN })
    @Operation(summary = "The contact policy in force (version 0: the defaults)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PolicyDocument.class)))
    public Uni<PolicyDocument> get() {
        return policies.current().map(PolicyResource::document);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.MARKETER, Roles.ADMIN })
    @Operation(summary = "Replace the contact policy", description = "Every field is required. Periods are ISO-8601 "
            + "durations (P30D, PT24H); caps may not contradict each other (a shorter window allowing more than a "
            + "longer one on the same channel).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PolicyDocument.class)))
    @APIResponse(responseCode = "400", description = "Missing, negative or contradictory values; nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PolicyDocument> put(PolicyDocument body) {
        if (body == null) {
            throw RapportException.invalidField("body", "is required: a policy document");
        }
        Policy policy = Policy.check(new Policy.Draft(
                body.caps() == null ? null : body.caps().stream().map(c -> c == null ? null
                        : new Policy.CapDraft(c.channel(), c.limit(), c.days())).toList(),
                body.quietHours() == null ? null : new Policy.QuietHoursDraft(body.quietHours().start(),
                        body.quietHours().end(), body.quietHours().channels()),
                body.purchasedPeriod(), body.declinedPeriod(), body.ticketGracePeriod(), body.defaultTimezone(),
                body.consentRequired()));
        String by = identity.getPrincipal().getName();
        return policies.replace(policy, by).invoke(stored -> Log.infof("Contact policy version %d set by %s",
                stored.version(), by)).map(PolicyResource::document);
    }

    static PolicyDocument document(PolicyStore.Stored stored) {
        Policy.Draft d = stored.policy().toDraft();
        return new PolicyDocument(d.caps().stream().map(c -> new CapDocument(c.channel(), c.limit(), c.days())).toList(),
                new QuietHoursDocument(d.quietHours().start(), d.quietHours().end(), d.quietHours().channels()),
                d.purchasedPeriod(), d.declinedPeriod(), d.ticketGracePeriod(), d.defaultTimezone(),
                d.consentRequired(), stored.version(), stored.updatedAt(), stored.updatedBy());
    }
}

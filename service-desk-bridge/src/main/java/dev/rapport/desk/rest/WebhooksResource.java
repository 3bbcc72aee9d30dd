package dev.rapport.desk.rest;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.desk.config.DeskConfig;
import dev.rapport.desk.service.DeliveryIntake;
import io.smallrye.mutiny.Uni;

/**
 * The desks' webhooks. No bearer token: each is verified by its desk's proof over the exact bytes received (see
 * {@code Signatures}), stored, and answered at once; the events it becomes are recorded afterwards. A redelivery is
 * answered like the first delivery, and changes nothing.
 */
@Path("/webhooks/desk")
@Tag(name = "desk webhooks")
@PermitAll
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class WebhooksResource {

    /** The answer to a desk. */
    public record Received(String deliveryId, String ticketId, boolean duplicate) {
    }

    private final DeliveryIntake intake;
    private final DeskConfig config;

    public WebhooksResource(DeliveryIntake intake, DeskConfig config) {
        this.intake = intake;
        this.config = config;
    }

    @POST
    @Path("/zendesk")
    @Operation(summary = "A Zendesk webhook (trigger or event subscription), signed by Zendesk")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Received.class)))
    @APIResponse(responseCode = "400", description = "Not a ticket change", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Signature missing, wrong or stale", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Body too large", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Received> zendesk(byte[] body, @HeaderParam("X-Zendesk-Webhook-Signature") String signature,
            @HeaderParam("X-Zendesk-Webhook-Signature-Timestamp") String timestamp) {
        return take("zendesk", body, new DeliveryIntake.Proof(signature, timestamp, null));
    }

    @POST
    @Path("/freshdesk")
    @Operation(summary = "A Freshdesk automation-rule webhook, carrying the shared secret in X-Rapport-Webhook-Secret")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Received.class)))
    @APIResponse(responseCode = "400", description = "Not a ticket change", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Secret missing or wrong", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Received> freshdesk(byte[] body, @HeaderParam("X-Rapport-Webhook-Secret") String secret) {
        return take("freshdesk", body, new DeliveryIntake.Proof(null, null, secret));
    }

    @POST
    @Path("/generic")
    @Operation(summary = "Any other desk: Rapport's ticket document, signed with X-Rapport-Signature and "
            + "X-Rapport-Timestamp (see the service README)")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Received.class)))
    @APIResponse(responseCode = "400", description = "Not a ticket change", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Signature missing, wrong or stale", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Received> generic(byte[] body, @HeaderParam("X-Rapport-Signature") String signature,
            @HeaderParam("X-Rapport-Timestamp") String timestamp) {
        return take("generic", body, new DeliveryIntake.Proof(signature, timestamp, null));
    }

    private Uni<Received> take(String desk, byte[] body, DeliveryIntake.Proof proof) {
        if (body == null || body.length == 0) {
            throw RapportException.invalidField("body", "is required: a ticket change");
        }
        if (body.length > config.maxBodyBytes()) {
            throw new RapportException(ErrorKind.TOO_LARGE, "body_too_large", "The body is " + body.length
                    + " bytes; at most " + config.maxBodyBytes() + " are accepted.");
        }
        return intake.take(desk, body, proof).map(t -> new Received(t.deliveryId(), t.ticketId(), t.duplicate()));
    }
}

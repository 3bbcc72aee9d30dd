package dev.rapport.channel.rest;

import java.net.URI;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.webhook.CallbackIntake;
import dev.rapport.channel.webhook.CallbackIntake.Taken;
import dev.rapport.common.rest.Problem;
import io.smallrye.mutiny.Uni;

/**
 * The providers' webhooks (docs/api.md, channel-gateway). No bearer token: each is verified with its provider's own
 * scheme over the exact bytes received, stored, and answered at once; what it reports is applied afterwards. A
 * redelivered event is answered like the first delivery and changes nothing. Every refusal is a problem: 401 for a
 * missing or wrong signature, 400 for a body the provider would not send, 413 for one too large.
 */
@Path("/webhooks")
@Tag(name = "provider webhooks")
@PermitAll
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class ProviderWebhooksResource {

    /** Twilio's answer to an inbound message when nothing is to be replied: an empty TwiML document. */
    static final String EMPTY_TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

    private final CallbackIntake intake;
    private final ChannelConfig config;

    public ProviderWebhooksResource(CallbackIntake intake, ChannelConfig config) {
        this.intake = intake;
        this.config = config;
    }

    @POST
    @Path("/twilio/status")
    @Operation(summary = "Twilio's status callback of a message it sent (form post, X-Twilio-Signature)")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Taken.class)))
    @APIResponse(responseCode = "400", description = "Not a status callback", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Signature missing or wrong", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Body too large", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Taken> twilioStatus(byte[] body, @HeaderParam("X-Twilio-Signature") String signature,
            @HeaderParam("Content-Type") String contentType, @Context UriInfo uri) {
        return intake.twilio("status", signedUrl(uri), contentType, body, signature);
    }

    @POST
    @Path("/twilio/inbound")
    @Produces(MediaType.TEXT_XML)
    @Operation(summary = "An SMS (or WhatsApp message through Twilio) a person sent (form post, X-Twilio-Signature); "
            + "answered with empty TwiML")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(mediaType = MediaType.TEXT_XML))
    @APIResponse(responseCode = "400", description = "Not an inbound message", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Signature missing or wrong", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<String> twilioInbound(byte[] body, @HeaderParam("X-Twilio-Signature") String signature,
            @HeaderParam("Content-Type") String contentType, @Context UriInfo uri) {
        return intake.twilio("inbound", signedUrl(uri), contentType, body, signature).replaceWith(EMPTY_TWIML);
    }

    @POST
    @Path("/sendgrid/events")
    @Operation(summary = "SendGrid's signed event webhook: a batch of delivery and engagement events")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Taken.class)))
    @APIResponse(responseCode = "400", description = "Not a batch of SendGrid events", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Signature missing, wrong or stale", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Body too large", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Taken> sendgrid(byte[] body,
            @HeaderParam("X-Twilio-Email-Event-Webhook-Signature") String signature,
            @HeaderParam("X-Twilio-Email-Event-Webhook-Timestamp") String timestamp) {
        return intake.sendgrid(body, signature, timestamp);
    }

    @POST
    @Path("/telegram")
    @Operation(summary = "A Telegram Bot API update (X-Telegram-Bot-Api-Secret-Token)")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Taken.class)))
    @APIResponse(responseCode = "400", description = "Not an update", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Secret token missing or wrong", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Taken> telegram(byte[] body, @HeaderParam("X-Telegram-Bot-Api-Secret-Token") String secret) {
        return intake.telegram(body, secret);
    }

    @GET
    @Path("/whatsapp")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Meta's subscription handshake: answers hub.challenge when hub.verify_token is right")
    @APIResponse(responseCode = "200", description = "The challenge", content = @Content(
            mediaType = MediaType.TEXT_PLAIN))
    @APIResponse(responseCode = "401", description = "Mode or verify token wrong", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public String whatsappHandshake(@QueryParam("hub.mode") String mode, @QueryParam("hub.verify_token") String token,
            @QueryParam("hub.challenge") String challenge) {
        return intake.whatsappChallenge(mode, token, challenge);
    }

    @POST
    @Path("/whatsapp")
    @Operation(summary = "A WhatsApp Cloud API webhook: statuses of sent messages and messages people sent "
            + "(X-Hub-Signature-256)")
    @APIResponse(responseCode = "200", description = "Stored (or known already)",
            content = @Content(schema = @Schema(implementation = Taken.class)))
    @APIResponse(responseCode = "400", description = "Not a WhatsApp webhook", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Signature missing or wrong", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Taken> whatsapp(byte[] body, @HeaderParam("X-Hub-Signature-256") String signature) {
        return intake.whatsapp(body, signature);
    }

    /** The URL Twilio called: the public base URL, when set, with the path and query as received. */
    private String signedUrl(UriInfo uri) {
        URI requested = uri.getRequestUri();
        return config.webhooks().publicUrl().filter(u -> !u.isBlank())
                .map(base -> (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                        + requested.getRawPath() + (requested.getRawQuery() == null ? ""
                                : "?" + requested.getRawQuery()))
                .orElse(requested.toString());
    }
}

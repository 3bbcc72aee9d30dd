package dev.rapport.channel.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

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
import org.jboss.resteasy.reactive.RestResponse;

import dev.rapport.channel.Outgoing;
import dev.rapport.channel.service.MessageService;
import dev.rapport.channel.service.MessageService.Accepted;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import io.smallrye.mutiny.Uni;

/** Sending a message and following it (docs/api.md, channel-gateway). Role {@code integrator}. */
@Path("/api/v1/messages")
@Tag(name = "messages")
@RolesAllowed({ Roles.INTEGRATOR, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    /** What a message says, by channel: email subject/html/text, push title/body/data, SMS and messenger text. */
    public record ContentBody(String subject, String html, String text, String title, String body,
            Map<String, String> data) {
    }

    /** A message to send. */
    public record SendRequest(String id, String profileId, String channel, String purpose, String to,
            ContentBody content, String campaignId, List<String> productIds, Instant expiresAt) {
    }

    /** The answer: the message's status then, its SMS parts and encoding, when a held one goes. */
    public record SendResponse(String messageId, String status, int segments, String encoding, Instant retryAt) {
    }

    /** A status the message went through. */
    public record StatusView(String status, Instant at, String detail) {
    }

    /** A message with its whole history. */
    public record MessageView(String messageId, String profileId, String channel, String purpose, String status,
            String provider, int segments, String encoding, String campaignId, Instant expiresAt, String lastError,
            List<StatusView> history) {
    }

    private final MessageService messages;

    public MessagesResource(MessageService messages) {
        this.messages = messages;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sends a message: stored, then handed to the channel's provider; the same id twice sends once")
    @APIResponse(responseCode = "202", description = "Accepted: queued, or held until retryAt", content = @Content(
            schema = @Schema(implementation = SendResponse.class)))
    @APIResponse(responseCode = "400", description = "A field missing or malformed (named); nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The id was used for another message", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The content breaks the channel's rules (channel_rule), the "
            + "person has no address (no_address) or is unknown (unknown_profile), or suppression denies it "
            + "(suppressed: each entry of errors names a rule)", content = @Content(mediaType = Problem.MEDIA_TYPE,
                    schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "profile-service or suppression-service cannot answer now",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RestResponse<SendResponse>> send(SendRequest body) {
        if (body == null) {
            return Uni.createFrom().failure(RapportException.invalidField("body", "is required"));
        }
        ContentBody c = body.content();
        Outgoing o = new Outgoing(body.id(), body.profileId(), body.channel(), body.purpose(), body.to(),
                c == null ? null : new dev.rapport.channel.Content(c.subject(), c.html(), c.text(), c.title(),
                        c.body(), c.data()), body.campaignId(), body.productIds(), body.expiresAt());
        return messages.accept(o).map(a -> RestResponse.ResponseBuilder.<SendResponse>create(202)
                .entity(view(a)).build());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A message with its status history")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "404", description = "No such message", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<MessageView> message(@PathParam("id") String id) {
        return messages.message(id).map(f -> new MessageView(f.message().id(), f.message().profileId(),
                f.message().channel(), f.message().purpose(), f.message().status(), f.message().provider(),
                f.message().segments(), f.message().encoding(), f.message().campaignId(), f.message().expiresAt(),
                f.message().lastError(), f.history().stream().map(h -> new StatusView(h.status(), h.at(),
                        h.detail())).toList()));
    }

    static SendResponse view(Accepted a) {
        return new SendResponse(a.messageId(), a.status(), a.segments(), a.encoding(), a.retryAt());
    }
}

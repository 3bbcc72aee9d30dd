package dev.rapport.channel.rest;

import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.channel.tracking.Tracking;
import dev.rapport.channel.tracking.TrackingEvents;
import dev.rapport.channel.tracking.TrackingTokens.Claim;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import io.quarkus.logging.Log;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/**
 * The links of tracked emails (docs/api.md, channel-gateway): the open pixel, clicks (redirected only where the token
 * says: the gateway signed it, so never an open redirect), the RFC 8058 one-click unsubscribe (a {@code POST}; the
 * {@code GET} a person opens shows a button, so a mail scanner fetching the link unsubscribes nobody) and the
 * satisfaction footer. No token: the link's signed token is the proof. A forged, altered or unknown token changes
 * nothing and is answered 404.
 */
@Path("/t")
@Tag(name = "tracking")
@PermitAll
public class TrackingResource {

    /** A transparent 1×1 GIF. */
    static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
    private static final Set<String> SCORES = Set.of("good", "ok", "bad");

    /** A page's words in one language. */
    public record Words(String language, String title, String text, String button) {
    }

    private static final Map<String, Map<String, Words>> PAGES = Map.of(
            "ru", Map.of(
                    "confirm", new Words("ru", "Отписаться от писем?", "Мы больше не будем присылать вам "
                            + "рекламные письма.", "Отписаться"),
                    "done", new Words("ru", "Вы отписаны", "Рекламных писем больше не будет. Письма о ваших "
                            + "заказах и обращениях продолжат приходить.", ""),
                    "thanks", new Words("ru", "Спасибо за оценку", "Ваш ответ поможет нам стать лучше.", "")),
            "en", Map.of(
                    "confirm", new Words("en", "Unsubscribe from emails?", "We will not send you promotional "
                            + "emails any more.", "Unsubscribe"),
                    "done", new Words("en", "You are unsubscribed", "No more promotional emails. Emails about your "
                            + "orders and requests will still reach you.", ""),
                    "thanks", new Words("en", "Thank you for your rating", "Your answer helps us do better.", "")));

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance page(Words words, boolean confirm, String action);
    }

    private final Tracking tracking;
    private final TrackingEvents events;

    public TrackingResource(Tracking tracking, TrackingEvents events) {
        this.tracking = tracking;
        this.events = events;
    }

    @GET
    @Path("/o/{token}")
    @Produces("image/gif")
    @Operation(summary = "The open pixel of a tracked email: records message_opened")
    @APIResponse(responseCode = "200", description = "A transparent GIF", content = @Content(mediaType = "image/gif"))
    @APIResponse(responseCode = "404", description = "Not a token of ours", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> open(@PathParam("token") String token) {
        Claim claim = claim(token, 'o');
        return events.opened(claim.messageId()).map(x -> Response.ok(PIXEL, "image/gif")
                .header("Cache-Control", "no-store, max-age=0").build());
    }

    @GET
    @Path("/c/{token}")
    @Operation(summary = "A tracked link: records message_clicked and redirects where the email linked")
    @APIResponse(responseCode = "302", description = "To the link's destination")
    @APIResponse(responseCode = "404", description = "Not a token of ours", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> click(@PathParam("token") String token) {
        Claim claim = claim(token, 'c');
        URI target = target(claim.target());
        Response redirect = Response.status(Response.Status.FOUND).location(target)
                .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").build();
        return events.clicked(claim.messageId(), claim.target()).replaceWith(redirect)
                .onFailure(f -> !(f instanceof RapportException)).recoverWithItem(f -> {
                    // the person still gets where they clicked; the click is lost only with the database
                    Log.warnf("A click on message %s was not recorded: %s", claim.messageId(), f.getMessage());
                    return redirect;
                });
    }

    @GET
    @Path("/u/{token}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The unsubscribe link a person opens: a page asking to confirm (changes nothing by itself)")
    @APIResponse(responseCode = "200", description = "The page", content = @Content(mediaType = MediaType.TEXT_HTML))
    @APIResponse(responseCode = "404", description = "Not a token of ours", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<String> unsubscribePage(@PathParam("token") String token) {
        Claim claim = claim(token, 'u');
        return events.message(claim.messageId()).map(m -> Templates.page(words(m.language(), "confirm"), true,
                "/t/u/" + token).render());
    }

    @POST
    @Path("/u/{token}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "RFC 8058 one-click unsubscribe (the mail client's POST, or the page's button): records "
            + "unsubscribed from email")
    @APIResponse(responseCode = "200", description = "Unsubscribed", content = @Content(
            mediaType = MediaType.TEXT_HTML))
    @APIResponse(responseCode = "404", description = "Not a token of ours", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<String> unsubscribe(@PathParam("token") String token) {
        Claim claim = claim(token, 'u');
        return events.message(claim.messageId()).chain(m -> events.unsubscribed(m.id())
                .replaceWith(Templates.page(words(m.language(), "done"), false, null).render()));
    }

    @GET
    @Path("/csat/{token}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The satisfaction footer of an email: records csat_submitted with the score")
    @APIResponse(responseCode = "200", description = "Thanks", content = @Content(mediaType = MediaType.TEXT_HTML))
    @APIResponse(responseCode = "400", description = "score is not good, ok or bad", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Not a token of ours", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<String> csat(@PathParam("token") String token, @QueryParam("score") String score) {
        Claim claim = claim(token, 's');
        if (score == null || !SCORES.contains(score)) {
            throw RapportException.invalid("score must be good, ok or bad", List.of(new FieldError("score",
                    "must be good, ok or bad")));
        }
        return events.message(claim.messageId()).chain(m -> events.csat(m.id(), score)
                .replaceWith(Templates.page(words(m.language(), "thanks"), false, null).render()));
    }

    private Claim claim(String token, char action) {
        Optional<Claim> claim = tracking.tokens().read(token, action);
        return claim.orElseThrow(() -> RapportException.notFound("unknown_token",
                "This link is not (or no longer) valid."));
    }

    /** Where a click goes: only a web address the gateway signed. */
    private static URI target(String target) {
        try {
            URI u = URI.create(target);
            if (u.getScheme() != null && (u.getScheme().equalsIgnoreCase("https") || u.getScheme()
                    .equalsIgnoreCase("http")) && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw RapportException.notFound("unknown_token", "This link is not (or no longer) valid.");
    }

    private static Words words(String language, String page) {
        return PAGES.getOrDefault(language == null ? "" : language, PAGES.get("en")).get(page);
    }
}

package dev.rapport.common.rest;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.security.Roles;
import dev.rapport.common.stream.DeadLetters;
import dev.rapport.common.stream.EventStreamConsumer;
import io.smallrye.mutiny.Uni;

/**
 * The event-stream entries this service could never apply, for an operator: what they were, why they failed, and a way
 * to apply one again once the cause is fixed, or to discard it. Every service that consumes the stream answers it.
 */
@Path("/api/v1/stream/dead-letters")
@Tag(name = "event stream")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {

    private static final Pattern ENTRY_ID = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

    private final EventStreamConsumer consumer;
    private final DeadLetters letters;

    public DeadLettersResource(EventStreamConsumer consumer, DeadLetters letters) {
        this.consumer = consumer;
        this.letters = letters;
    }

    /**
     * A dead letter.
     *
     * @param id its id, for replay and discard
     * @param stream the partition stream it came from
     * @param entry its entry id there
     * @param eventId the event id, when the entry could be read
     * @param profileId the profile it is about, when known
     * @param reason why it could not be applied
     * @param failedAt when it was set aside
     * @param document the entry as it was published, or null
     */
    public record LetterDocument(String id, String stream, String entry, String eventId, String profileId,
            String reason, Instant failedAt, String document) {
    }

    /** A page of dead letters, oldest first. */
    public record LettersPage(String group, List<LetterDocument> items, String nextCursor) {
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "The event-stream entries this service set aside, oldest first, each with its reason")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = LettersPage.class)))
    @APIResponse(responseCode = "400", description = "Bad limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "This service does not consume the stream",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<LettersPage> list(@Parameter(description = "Page size, 1 to 500 (50)") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor) {
        requireConsumer();
        int size = Pages.limit(limit);
        if (cursor != null && !ENTRY_ID.matcher(cursor).matches()) {
            throw RapportException.invalidField("cursor", "is not a cursor this endpoint gave");
        }
        return letters.list(consumer.group(), cursor, size + 1).map(found -> {
            List<DeadLetters.Letter> page = found.size() > size ? found.subList(0, size) : found;
            return new LettersPage(consumer.group(), page.stream().map(l -> new LetterDocument(l.id(), l.stream(),
                    l.entry(), l.eventId(), l.subject(), l.reason(), l.failedAt(), l.document())).toList(),
                    found.size() > size ? page.get(page.size() - 1).id() : null);
        });
    }

    @POST
    @Path("/{id}/replay")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Apply a dead letter again (once its cause is fixed); it is removed when applied")
    @APIResponse(responseCode = "204", description = "Applied and removed")
    @APIResponse(responseCode = "404", description = "No such dead letter",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "It still cannot be applied; it stays, with the reason",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> replay(@PathParam("id") String id) {
        requireConsumer();
        return consumer.replay(entryId(id)).onFailure(f -> !(f instanceof RapportException)).transform(f ->
                dev.rapport.common.error.Failures.isTemporary(f) ? f
                        : new RapportException(ErrorKind.UNPROCESSABLE, "still_not_applicable",
                                "Dead letter " + id + " still cannot be applied: "
                                        + dev.rapport.common.logging.LogSanitizer.sanitize(
                                                String.valueOf(f.getMessage()))))
                .map(found -> {
                    if (!found) {
                        throw notFound(id);
                    }
                    return Response.noContent().build();
                });
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Discard a dead letter")
    @APIResponse(responseCode = "204", description = "Discarded")
    @APIResponse(responseCode = "404", description = "No such dead letter",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> discard(@PathParam("id") String id) {
        requireConsumer();
        return letters.remove(consumer.group(), entryId(id)).map(found -> {
            if (!found) {
                throw notFound(id);
            }
            return Response.noContent().build();
        });
    }

    private void requireConsumer() {
        if (!consumer.active()) {
            throw RapportException.notFound("not_consuming", "This service does not consume the event stream.");
        }
    }

    private static String entryId(String id) {
        if (id == null || !ENTRY_ID.matcher(id).matches()) {
            throw RapportException.invalidField("id", "is not a dead-letter id (such as 1733560000000-0)");
        }
        return id;
    }

    private static RapportException notFound(String id) {
        return RapportException.notFound("dead_letter_not_found", "No dead letter " + id + ".");
    }

}

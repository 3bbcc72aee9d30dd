package dev.rapport.desk.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

/** The part of Zendesk's Support API the bridge calls (developer.zendesk.com/api-reference/ticketing/tickets). */
@Path("/api/v2/tickets")
@Produces(MediaType.APPLICATION_JSON)
public interface ZendeskApi {

    /** Show Ticket: {@code {"ticket": {…}}}, or 404 {@code RecordNotFound}. */
    @GET
    @Path("/{id}")
    Uni<Response> show(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);

    /** Create Ticket: {@code {"ticket": {…}}} in, 201 {@code {"ticket": {"id", …}}} out. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> create(@HeaderParam("Authorization") String authorization,
            @HeaderParam("Idempotency-Key") String idempotencyKey, String body);
}

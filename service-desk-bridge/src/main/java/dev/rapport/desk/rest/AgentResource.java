package dev.rapport.desk.rest;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.jboss.resteasy.reactive.RestResponse;

import com.google.protobuf.Value;

import dev.rapport.common.error.RapportException;
import dev.rapport.common.rest.Problem;
import dev.rapport.common.security.Roles;
import dev.rapport.desk.Happening;
import dev.rapport.desk.LikelyReasons;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.repository.OutcomeStore.Outcome;
import dev.rapport.desk.service.AgentDesk;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.Profile;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The call-centre agent's API: who is calling and what they did, and what came of the call. Role {@code agent}. */
@Path("/api/v1/agent")
@Tag(name = "agent")
@RolesAllowed({ Roles.AGENT, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {

    /** The customer, as docs/api.md gives the agent context. */
    public record ContextResponse(ProfileView profile, List<TicketView> openTickets, List<EventView> recentMarketing,
            List<String> purchases, List<String> pendingOrders, List<String> declinedOffers,
            List<InterestView> interests, List<DoNotOfferView> doNotOffer, List<EventView> timeline,
            String likelyReason, List<ReasonView> likelyReasons, NextBestAction nextBestAction,
            List<OutcomeView> outcomes) {
    }

    /** The person: id, traits and identifiers by kind. */
    public record ProfileView(String id, Map<String, Object> traits, Map<String, List<String>> identifiers,
            Map<String, Instant> lastSeen) {
    }

    /** An open ticket. */
    public record TicketView(String id, String desk, String externalId, String subject, Instant openedAt,
            Instant updatedAt) {
    }

    /** An event of the timeline or of recent marketing. */
    public record EventView(String id, String type, String channel, Instant at, Map<String, Object> properties) {
    }

    /** A recent interest. */
    public record InterestView(String kind, String value, long count, Instant lastAt) {
    }

    /** What not to offer ({@code *}: nothing at all), by which rule and why. */
    public record DoNotOfferView(String product, String rule, String why) {
    }

    /** A likely reason for the call, with its evidence. */
    public record ReasonView(String reason, List<String> evidence) {
    }

    /** campaign-service's next best action; absent until it offers one. */
    public record NextBestAction(String offerId, String title, String reason) {
    }

    /** An outcome an agent recorded. */
    public record OutcomeView(String id, String profileId, String productId, String outcome, String note,
            String agent, String orderId, Instant recordedAt) {
    }

    /** The body of an outcome. */
    public record OutcomeRequest(String profileId, String productId, String outcome, String note) {
    }

    private final AgentDesk desk;
    private final SecurityIdentity identity;

    public AgentResource(AgentDesk desk, SecurityIdentity identity) {
        this.desk = desk;
        this.identity = identity;
    }

    @GET
    @Path("/context")
    @Operation(summary = "The customer calling: profile, open tickets, recent marketing, purchases, what not to offer, "
            + "the likely reasons for the call; by exactly one of phone, email or profileId")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ContextResponse.class)))
    @APIResponse(responseCode = "400", description = "None or several of phone, email, profileId, or one malformed "
            + "(named)", content = @Content(mediaType = Problem.MEDIA_TYPE,
                    schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such customer", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "profile-service cannot answer now", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ContextResponse> context(@QueryParam("phone") String phone, @QueryParam("email") String email,
            @QueryParam("profileId") String profileId) {
        return desk.context(phone, email, profileId).map(AgentResource::response);
    }

    @POST
    @Path("/outcomes")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Records what came of a call: an offer declined or accepted (a pending order), or a callback "
            + "requested; it becomes events on the customer's profile")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = OutcomeView.class)))
    @APIResponse(responseCode = "400", description = "A field missing or malformed (named); nothing recorded",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such customer", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A product the customer's history does not name", content =
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RestResponse<OutcomeView>> outcome(OutcomeRequest body) {
        if (body == null) {
            return Uni.createFrom().failure(RapportException.invalidField("body", "is required"));
        }
        return desk.record(body.profileId(), body.productId(), body.outcome(), body.note(),
                identity.getPrincipal().getName()).map(o -> RestResponse.ResponseBuilder
                        .<OutcomeView>created(URI.create("/api/v1/agent/outcomes/" + o.id())).entity(view(o)).build());
    }

    @GET
    @Path("/outcomes/{id}")
    @Operation(summary = "An outcome recorded")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = OutcomeView.class)))
    @APIResponse(responseCode = "404", description = "No such outcome", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<OutcomeView> outcomeById(@PathParam("id") String id) {
        return desk.outcome(id).map(AgentResource::view);
    }

    static ContextResponse response(AgentDesk.View v) {
        Profile p = v.profile();
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (Identifier i : p.getIdentifiersList()) {
            String kind = i.getKind().name().substring("IDENTIFIER_KIND_".length()).toLowerCase();
            ids.computeIfAbsent(camel(kind), k -> new ArrayList<>()).add(i.getValue());
        }
        Map<String, Object> traits = new LinkedHashMap<>();
        p.getTraits().getFieldsMap().forEach((k, val) -> traits.put(k, plain(val)));
        Map<String, Instant> lastSeen = new LinkedHashMap<>();
        p.getSummary().getLastSeenMap().forEach((k, t) -> lastSeen.put(k, Instant.ofEpochSecond(t.getSeconds(),
                t.getNanos())));
        List<LikelyReasons.Reason> reasons = v.context().likelyReasons();
        return new ContextResponse(new ProfileView(p.getId(), traits, ids, lastSeen),
                v.openTickets().stream().map(AgentResource::view).toList(),
                v.context().recentMarketing().stream().map(AgentResource::view).toList(),
                p.getSummary().getPurchasesList(), p.getSummary().getPendingOrdersList(),
                p.getSummary().getDeclinedOffersList(),
                p.getSummary().getInterestsList().stream().map(i -> new InterestView(i.getKind(), i.getValue(),
                        i.getCount(), Instant.ofEpochSecond(i.getLastAt().getSeconds(), i.getLastAt().getNanos())))
                        .toList(),
                v.context().doNotOffer().stream().map(d -> new DoNotOfferView(d.product(), d.rule(), d.why())).toList(),
                v.context().timeline().stream().map(AgentResource::view).toList(),
                reasons.isEmpty() ? null : reasons.get(0).reason(),
                reasons.stream().map(r -> new ReasonView(r.reason(), r.evidence())).toList(), null,
                v.outcomes().stream().map(AgentResource::view).toList());
    }

    private static TicketView view(Ticket t) {
        return new TicketView(t.id(), t.desk(), t.externalId(), t.subject(), t.openedAt(), t.updatedAt());
    }

    private static EventView view(Happening h) {
        return new EventView(h.id(), h.type(), h.channel(), h.at(), h.properties());
    }

    static OutcomeView view(Outcome o) {
        return new OutcomeView(o.id(), o.profileId(), o.productId(), o.outcome(), o.note(), o.agent(), o.orderId(),
                o.recordedAt());
    }

    private static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                out.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return out.toString();
    }

    private static Object plain(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case NUMBER_VALUE -> v.getNumberValue();
            case BOOL_VALUE -> v.getBoolValue();
            default -> null;
        };
    }
}

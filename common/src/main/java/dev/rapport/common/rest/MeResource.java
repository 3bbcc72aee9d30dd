package dev.rapport.common.rest;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.rapport.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who the caller is, as this service sees the bearer token: the quickest way for an integrator to check a token and
 * its roles. Every service answers it.
 */
@Path("/api/v1/me")
@Tag(name = "caller")
@SecurityRequirement(name = "bearer")
public class MeResource {

    private static final Set<String> RAPPORT_ROLES = Set.of(Roles.INTEGRATOR, Roles.MARKETER, Roles.AGENT,
            Roles.ADMIN);

    private final SecurityIdentity identity;
    private final String service;

    public MeResource(SecurityIdentity identity, @ConfigProperty(name = "rapport.service.name") String service) {
        this.identity = identity;
        this.service = service;
    }

    /**
     * The caller.
     *
     * @param name user name from the token
     * @param roles the caller's Rapport roles
     * @param service the service that answered
     */
    public record Caller(String name, List<String> roles, String service) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Roles.INTEGRATOR, Roles.MARKETER, Roles.AGENT, Roles.ADMIN })
    @Operation(summary = "The caller's name and Rapport roles, as this service reads the token")
    @APIResponse(responseCode = "200", description = "The caller")
    @APIResponse(responseCode = "401", description = "No valid token", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "The token has no Rapport role",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Caller me() {
        Set<String> roles = new TreeSet<>(identity.getRoles());
        roles.retainAll(RAPPORT_ROLES);
        return new Caller(identity.getPrincipal().getName(), List.copyOf(roles), service);
    }
}

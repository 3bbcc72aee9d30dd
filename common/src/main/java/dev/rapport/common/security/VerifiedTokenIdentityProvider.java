package dev.rapport.common.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/**
 * Asked before the OIDC provider for every bearer token: answers the identity verified earlier for the same token
 * ({@link VerifiedTokens}), or nothing, in which case the OIDC provider verifies the token as usual.
 */
@ApplicationScoped
public class VerifiedTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final VerifiedTokens tokens;

    public VerifiedTokenIdentityProvider(VerifiedTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (request.getToken() == null || request.getToken().getToken() == null) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().item(tokens.find(request.getToken().getToken(), request.getAttributes(), context));
    }

    @Override
    public int priority() {
        // before the OIDC provider, which has the default (1001): equal priorities run in no fixed order
        return SYSTEM_FIRST + 1000;
    }
}

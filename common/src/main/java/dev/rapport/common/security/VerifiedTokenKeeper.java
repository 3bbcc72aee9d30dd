package dev.rapport.common.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Runs first after a provider has authenticated a request: keeps an identity freshly verified from a bearer token in
 * {@link VerifiedTokens}, as the provider made it (before other augmentors, which run again on every request).
 */
@ApplicationScoped
public class VerifiedTokenKeeper implements SecurityIdentityAugmentor {

    private final VerifiedTokens tokens;

    public VerifiedTokenKeeper(VerifiedTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        tokens.keep(identity);
        return Uni.createFrom().item(identity);
    }

    @Override
    public int priority() {
        return Integer.MAX_VALUE;
    }
}

package dev.rapport.common.security;

import jakarta.inject.Singleton;

import io.quarkus.oidc.client.runtime.AbstractTokensProducer;

/**
 * This service's client-credentials tokens from the {@code rapport} realm ({@code quarkus.oidc-client.*}), fetched when
 * first needed and refreshed before they expire.
 */
@Singleton
public class ServiceTokens extends AbstractTokensProducer {
}

package dev.rapport.profile.config;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.rapport.profile.EventValidator;
import dev.rapport.profile.IdentifierNormalizer;

/** The plain-Java domain objects, configured. */
@Singleton
public class DomainProducers {

    @Produces
    @Singleton
    IdentifierNormalizer normalizer(@ConfigProperty(name = "rapport.phone.default-region") String region) {
        return new IdentifierNormalizer(region);
    }

    @Produces
    @Singleton
    EventValidator validator(IdentifierNormalizer normalizer, ProfileConfig config, Clock clock) {
        return new EventValidator(normalizer, config.maxFutureSkew(), clock);
    }
}

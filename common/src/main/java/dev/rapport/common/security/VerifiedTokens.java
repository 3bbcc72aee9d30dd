package dev.rapport.common.security;

import java.security.Permission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/**
 * Bearer tokens already verified by this service, so that a client sending the same token again (every call of a
 * campaign, every request of an integration) is not verified again: verifying a JWT (RSA signature, two JSON parses of
 * 32 KB buffers each in jose4j) was half of a single decision's CPU and two thirds of its garbage.
 *
 * <p>The key is the whole token text, signature included: a token that differs by one character is a different key and
 * is verified in full. An entry lives until the token expires ({@code exp}) and at most {@code max-age}, so a signing
 * key withdrawn from the realm stops being trusted within that time; {@code max-age=0} turns the cache off. What is
 * kept is the verified identity without anything of the request it came with. Not for sender-constrained tokens
 * (DPoP, mutual-TLS bound), whose proof belongs to each request: Rapport uses plain bearer tokens.
 */
@ApplicationScoped
public class VerifiedTokens {

    /** The attribute that marks an identity served from here. */
    static final String FROM_CACHE = "dev.rapport.verified-token";
    /** Where Quarkus keeps a request's routing context among an identity's attributes. */
    static final String ROUTING_CONTEXT = "io.vertx.ext.web.RoutingContext";
    /** Where the OIDC provider keeps the request's authentication context among an identity's attributes. */
    static final String REQUEST_CONTEXT = "io.quarkus.security.identity.AuthenticationRequestContext";

    private record Entry(SecurityIdentity identity, Instant expires) {
    }

    private final Cache<String, Entry> cache;
    private final Duration maxAge;
    private final Clock clock;
    private final Counter hits;
    private final Counter misses;

    @Inject
    public VerifiedTokens(@ConfigProperty(name = "rapport.security.token-cache.max-age", defaultValue = "PT5M") Duration maxAge,
            @ConfigProperty(name = "rapport.security.token-cache.max-size", defaultValue = "10000") long maxSize,
            MeterRegistry metrics) {
        this(maxAge, maxSize, Clock.systemUTC(), metrics);
    }

    VerifiedTokens(Duration maxAge, long maxSize, Clock clock) {
        this(maxAge, maxSize, clock, new SimpleMeterRegistry());
    }

    private VerifiedTokens(Duration maxAge, long maxSize, Clock clock, MeterRegistry metrics) {
        this.maxAge = maxAge;
        this.clock = clock;
        this.hits = metrics.counter("rapport.security.verified.tokens", "result", "hit");
        this.misses = metrics.counter("rapport.security.verified.tokens", "result", "miss");
        this.cache = Caffeine.newBuilder().maximumSize(Math.max(0, maxSize)).expireAfter(new Expiry<String, Entry>() {
            @Override
            public long expireAfterCreate(String key, Entry value, long currentTime) {
                return Math.max(0, Duration.between(clock.instant(), value.expires()).toNanos());
            }

            @Override
            public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
                return expireAfterCreate(key, value, currentTime);
            }

            @Override
            public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }).build();
    }

    /** Whether tokens are kept at all. */
    public boolean enabled() {
        return !maxAge.isZero() && !maxAge.isNegative();
    }

    /**
     * The identity verified earlier for this exact token, with the current request's routing context (from its
     * attributes) and authentication context; null when the token was not verified here or has expired since.
     */
    public SecurityIdentity find(String token, Map<String, Object> requestAttributes, Object requestContext) {
        if (!enabled()) {
            return null;
        }
        Entry entry = cache.getIfPresent(token);
        if (entry == null || !clock.instant().isBefore(entry.expires())) {
            misses.increment();
            return null;
        }
        hits.increment();
        SecurityIdentity kept = entry.identity();
        // the kept identity holds nothing of a request: its permission checks can be asked directly, which spares a
        // copy of its permission set per request (a StringPermission hashes by building its toString)
        QuarkusSecurityIdentity.Builder out = builder(kept, kept.getAttributes())
                .addPermissionChecker(kept::checkPermission).addAttribute(FROM_CACHE, Boolean.TRUE);
        Object routingContext = requestAttributes.get(ROUTING_CONTEXT);
        if (routingContext != null) {
            out.addAttribute(ROUTING_CONTEXT, routingContext);
        }
        if (requestContext != null) {
            out.addAttribute(REQUEST_CONTEXT, requestContext);
        }
        return out.build();
    }

    /** Keeps an identity a provider has just verified, if it came from a bearer JWT that has not expired. */
    public void keep(SecurityIdentity identity) {
        if (!enabled() || identity.isAnonymous() || identity.getAttribute(FROM_CACHE) != null
                || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return;
        }
        // the OIDC provider keeps its own subclass (AccessTokenCredential): look by kind, not by exact class
        TokenCredential credential = identity.getCredentials().stream().filter(TokenCredential.class::isInstance)
                .map(TokenCredential.class::cast).findFirst().orElse(null);
        long exp = jwt.getExpirationTime();
        if (credential == null || credential.getToken() == null || exp <= 0) {
            return;
        }
        Instant now = clock.instant();
        Instant expires = Instant.ofEpochSecond(exp);
        Instant latest = now.plus(maxAge);
        if (!now.isBefore(expires)) {
            return;
        }
        cache.put(credential.getToken(), new Entry(copy(identity).build(), expires.isBefore(latest) ? expires : latest));
    }

    /** How many times a token was found verified already. */
    public double hits() {
        return hits.count();
    }

    /** How many tokens are kept now (for tests). */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** A new identity with this one's principal, roles and credentials, and these attributes. */
    private static QuarkusSecurityIdentity.Builder builder(SecurityIdentity identity, Map<String, Object> attributes) {
        return QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal()).addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials()).addAttributes(attributes);
    }

    /**
     * The identity's principal, roles, credentials, permissions and attributes, without the request it came with: once
     * per token, when it is kept.
     */
    private static QuarkusSecurityIdentity.Builder copy(SecurityIdentity identity) {
        Map<String, Object> attributes = new HashMap<>(identity.getAttributes());
        attributes.remove(ROUTING_CONTEXT);
        attributes.remove(REQUEST_CONTEXT);
        attributes.remove(FROM_CACHE);
        QuarkusSecurityIdentity.Builder out = builder(identity, attributes);
        if (identity instanceof QuarkusSecurityIdentity quarkus) {
            out.addPermissions(quarkus.getPermissions()); // the token's scopes, as OIDC grants them
        } else {
            out.addPermissionChecker((Permission p) -> identity.checkPermission(p));
        }
        return out;
    }
}

package dev.rapport.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

class VerifiedTokensTest {

    static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now = NOW;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    record Jwt(String name, long exp) implements JsonWebToken {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Set<String> getClaimNames() {
            return Set.of("sub", "exp");
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getClaim(String claim) {
            return switch (claim) {
                case "exp" -> (T) Long.valueOf(exp);
                case "sub" -> (T) name;
                default -> null;
            };
        }
    }

    static SecurityIdentity verified(String token, Instant expires, Object routingContext) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new Jwt("integrator-1", expires.getEpochSecond()))
                .addRole("integrator").addCredential(new TokenCredential(token, "bearer"))
                .addPermissionAsString("profile:read")
                .addAttribute(VerifiedTokens.ROUTING_CONTEXT, routingContext)
                .addAttribute(VerifiedTokens.REQUEST_CONTEXT, routingContext).addAttribute("tenant-id", "Default")
                .build();
    }

    final MovingClock clock = new MovingClock();
    final VerifiedTokens tokens = new VerifiedTokens(Duration.ofMinutes(5), 100, clock);

    @Test
    void answersTheVerifiedIdentityForTheSameTokenWithTheCurrentRequestOnly() {
        Object firstRequest = new Object();
        Object secondRequest = new Object();
        Object secondContext = new Object();
        tokens.keep(verified("a.b.c", NOW.plusSeconds(300), firstRequest));

        SecurityIdentity again = tokens.find("a.b.c", Map.of(VerifiedTokens.ROUTING_CONTEXT, secondRequest),
                secondContext);

        assertThat(again).isNotNull();
        assertThat(again.getPrincipal().getName()).isEqualTo("integrator-1");
        assertThat(again.getRoles()).containsExactly("integrator");
        assertThat(again.checkPermissionBlocking(new io.quarkus.security.StringPermission("profile", "read"))).isTrue();
        assertThat(again.checkPermissionBlocking(new io.quarkus.security.StringPermission("profile", "erase"))).isFalse();
        assertThat(again.getCredential(TokenCredential.class).getToken()).isEqualTo("a.b.c");
        assertThat(again.<Object>getAttribute("tenant-id")).isEqualTo("Default");
        assertThat(again.<Object>getAttribute(VerifiedTokens.ROUTING_CONTEXT)).isSameAs(secondRequest);
        assertThat(again.<Object>getAttribute(VerifiedTokens.REQUEST_CONTEXT)).isSameAs(secondContext);
        assertThat(tokens.find("a.b.c", Map.of(), null).getAttributes())
                .doesNotContainKeys(VerifiedTokens.ROUTING_CONTEXT, VerifiedTokens.REQUEST_CONTEXT);
        assertThat(tokens.hits()).isEqualTo(2);
    }

    @Test
    void aTokenThatDiffersInOneCharacterIsNotKnown() {
        tokens.keep(verified("a.b.c", NOW.plusSeconds(300), null));

        assertThat(tokens.find("a.b.d", Map.of(), null)).isNull();
        assertThat(tokens.find("a.b.c ", Map.of(), null)).isNull();
    }

    @Test
    void forgetsATokenWhenItExpires() {
        tokens.keep(verified("a.b.c", NOW.plusSeconds(60), null));

        clock.now = NOW.plusSeconds(59);
        assertThat(tokens.find("a.b.c", Map.of(), null)).isNotNull();
        clock.now = NOW.plusSeconds(60);
        assertThat(tokens.find("a.b.c", Map.of(), null)).isNull();
    }

    @Test
    void trustsALongLivedTokenForAtMostTheMaximumAge() {
        tokens.keep(verified("a.b.c", NOW.plus(Duration.ofHours(10)), null));

        clock.now = NOW.plus(Duration.ofMinutes(4));
        assertThat(tokens.find("a.b.c", Map.of(), null)).isNotNull();
        clock.now = NOW.plus(Duration.ofMinutes(5));
        assertThat(tokens.find("a.b.c", Map.of(), null)).isNull();
    }

    @Test
    void keepsNeitherExpiredTokensNorIdentitiesWithoutAToken() {
        tokens.keep(verified("old.b.c", NOW.minusSeconds(1), null));
        tokens.keep(QuarkusSecurityIdentity.builder().setPrincipal(new Jwt("x", NOW.plusSeconds(60).getEpochSecond()))
                .build());
        tokens.keep(QuarkusSecurityIdentity.builder().setAnonymous(true).build());

        assertThat(tokens.find("old.b.c", Map.of(), null)).isNull();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void maximumAgeZeroTurnsItOff() {
        VerifiedTokens off = new VerifiedTokens(Duration.ZERO, 100, clock);
        off.keep(verified("a.b.c", NOW.plusSeconds(300), null));

        assertThat(off.enabled()).isFalse();
        assertThat(off.find("a.b.c", Map.of(), null)).isNull();
    }

    @Test
    void holdsNoMoreThanTheMaximumSize() {
        VerifiedTokens small = new VerifiedTokens(Duration.ofMinutes(5), 10, clock);
        for (int i = 0; i < 100; i++) {
            small.keep(verified("t" + i, NOW.plusSeconds(300), null));
        }

        assertThat(small.size()).isLessThanOrEqualTo(10);
    }
}

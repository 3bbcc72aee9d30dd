package dev.rapport.suppression.service;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.testing.TcpProxy;
import dev.rapport.suppression.rest.Api;
import dev.rapport.suppression.stream.EventStreamFixture;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * When Redis or the database cannot be reached, marketing is denied with reason {@code unavailable}, never allowed
 * blind, and transactional decisions still answer. The dependencies are taken down with proxies in front of the real
 * servers.
 */
@QuarkusTest
@TestProfile(DegradedTest.BehindProxies.class)
public class DegradedTest {

    /** Shared with the other tests of this profile (ConsumerRecoveryTest); they live as long as the test JVM. */
    public static final TcpProxy REDIS = new TcpProxy("127.0.0.1", 6379).up();
    public static final TcpProxy POSTGRES = new TcpProxy(env("RAPPORT_DB_HOST", "127.0.0.1"),
            Integer.parseInt(env("RAPPORT_DB_PORT", "5432"))).up();

    /**
     * The service reaches Redis (database 1) and PostgreSQL through proxies the test can take down; its stream consumer
     * claims what a replica left pending after 2 s and calls itself stuck after 3 s without progress.
     */
    public static class BehindProxies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + REDIS.port() + "/1",
                    "rapport.database.host", "127.0.0.1", "rapport.database.port", String.valueOf(POSTGRES.port()),
                    "quarkus.redis.timeout", "1s", "quarkus.datasource.reactive.idle-timeout", "PT1S",
                    "rapport.stream.consumer.max-backoff", "500ms", "rapport.stream.consumer.claim-idle", "2s",
                    "rapport.stream.consumer.stuck-after", "3s");
        }
    }

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;

    @AfterEach
    void bringBack() {
        REDIS.up();
        POSTGRES.up();
    }

    String subscribedPerson() {
        Api.policy(Map.of());
        String p = profileId();
        new EventStreamFixture(redis, consumer).publish(
                event("logged_in", p, Instant.now().minus(Duration.ofDays(1))).id("email", "d@example.com")
                        .id("phone", "+79160000003"),
                event("subscribed", p, Instant.now().minus(Duration.ofDays(1))).prop("channel", "all"));
        assertThat(Api.decision(contact(p, "email", "marketing")).getString("decision")).isEqualTo("allow");
        return p;
    }

    @Test
    void withRedisDownMarketingIsDeniedAsUnavailableAndTheOtherPurposesStillAnswer() {
        String p = subscribedPerson();
        REDIS.down();
        JsonPath marketing = Api.decision(contact(p, "email", "marketing"));
        assertThat(marketing.getString("decision")).isEqualTo("deny");
        assertThat(marketing.getList("reasons.rule", String.class)).containsExactly("unavailable");
        assertThat(Api.decision(contact(p, "email", "service")).getString("decision")).isEqualTo("allow");
        assertThat(Api.decision(contact(p, "sms", "transactional")).getString("decision")).isEqualTo("allow");
        REDIS.up();
        assertThat(Api.decision(contact(p, "email", "marketing")).getString("decision")).as("back to normal")
                .isEqualTo("allow");
    }

    @Test
    void withTheDatabaseDownMarketingAndServiceAreDeniedAsUnavailableAndTransactionalGoes() {
        String p = subscribedPerson();
        POSTGRES.down();
        for (String purpose : new String[] { "marketing", "service" }) {
            JsonPath d = Api.decision(contact(p, "email", purpose));
            assertThat(d.getString("decision")).as(purpose).isEqualTo("deny");
            assertThat(d.getList("reasons.rule", String.class)).containsExactly("unavailable");
        }
        JsonPath otp = Api.decision(contact(p, "sms", "transactional"));
        assertThat(otp.getString("decision")).isEqualTo("allow");
        assertThat(otp.getList("reasons")).isEmpty();
        POSTGRES.up();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String decision = null;
        while (System.nanoTime() < deadline && !"allow".equals(decision)) {
            decision = Api.decision(contact(p, "email", "marketing")).getString("decision");
        }
        assertThat(decision).as("back to normal once the database answers").isEqualTo("allow");
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

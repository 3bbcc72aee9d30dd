package dev.rapport.suppression.stream;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static dev.rapport.suppression.rest.Api.rules;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.DeadLetters;
import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.stream.StreamGroups;
import dev.rapport.common.stream.StreamLayout;
import dev.rapport.common.testing.Await;
import dev.rapport.suppression.SuppressionFixtures;
import dev.rapport.suppression.rest.Api;
import dev.rapport.suppression.service.DegradedTest;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The consumer of the event stream recovers by itself from what production throws at it, and never loses a fact on
 * the way: its consumer groups vanishing from Redis, a database that refuses connections for a while, entries deleted
 * while pending, and a dependency down long enough to make it stuck (readiness red, then green again).
 */
@QuarkusTest
@TestProfile(DegradedTest.BehindProxies.class)
class ConsumerRecoveryTest {

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;
    @Inject
    StreamLayout layout;
    @Inject
    DeadLetters deadLetters;
    @ConfigProperty(name = "rapport.database.name")
    String database;
    @ConfigProperty(name = "quarkus.datasource.username")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    EventStreamFixture stream;

    @BeforeEach
    void setUp() {
        stream = new EventStreamFixture(redis, consumer);
        Api.policy(Map.of("ticketGracePeriod", "PT0S"));
    }

    @AfterEach
    void bringBack() {
        DegradedTest.POSTGRES.up();
    }

    SuppressionFixtures.Event known(String p) {
        return event("logged_in", p, Instant.now().minus(Duration.ofDays(5))).channel("web")
                .id("email", p + "@example.com").id("phone", "+79161234567");
    }

    SuppressionFixtures.Event optIn(String p) {
        return event("subscribed", p, Instant.now().minus(Duration.ofDays(5))).prop("channel", "all");
    }

    SuppressionFixtures.Event smsOptOut(String p) {
        return event("unsubscribed", p, Instant.now().minus(Duration.ofMinutes(1))).channel("sms");
    }

    @Test
    void aConsumerGroupRedisLostIsMadeAgainAndLaterOptOutsStillApply() {
        String p = profileId();
        stream.publish(known(p), optIn(p));
        double lost = metric("rapport_stream_consumer_groups_lost_total");
        // what a Redis restarted without persistence, a FLUSHDB or an eviction leaves: no stream, no group
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            keys.add(layout.stream(i));
        }
        redis.execute("DEL", keys.toArray(String[]::new));
        stream.publish(smsOptOut(p));
        assertThat(rules(contact(p, "sms", "marketing"))).containsExactly("opted_out");
        assertThat(metric("rapport_stream_consumer_groups_lost_total")).as("the loss is counted").isGreaterThan(lost);
    }

    @Test
    void aDatabaseRefusingConnectionsLeavesEntriesPendingNotDeadAndTheyApplyWhenItIsBack() throws Exception {
        String p = profileId();
        stream.publish(known(p), optIn(p));
        long letters = deadLetters.count(consumer.group()).await().indefinitely();
        double retries = metric("rapport_stream_consumer_retries_total");
        // straight to PostgreSQL, not through the proxy the service uses
        String url = "jdbc:postgresql://" + System.getenv().getOrDefault("RAPPORT_DB_HOST", "127.0.0.1") + ":"
                + System.getenv().getOrDefault("RAPPORT_DB_PORT", "5432") + "/" + database;
        try (Connection admin = DriverManager.getConnection(url, user, password);
                Statement sql = admin.createStatement()) {
            // new connections get 53300 (too many connections), the service's open ones 57P01 (terminated)
            sql.execute("ALTER DATABASE " + database + " CONNECTION LIMIT 0");
            sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database
                    + "' AND pid <> pg_backend_pid() AND application_name <> 'PostgreSQL JDBC Driver'");
            try {
                String key = stream.streamOf(p);
                String entry = stream.add(smsOptOut(p));
                Await.until(() -> metric("rapport_stream_consumer_retries_total") > retries,
                        "the consumer meets the refusal");
                Thread.sleep(1500);
                assertThat(pending(key)).as("the opt-out is left pending, not acknowledged").isPositive();
                assertThat(deadLetters.count(consumer.group()).await().indefinitely()).as("nor set aside")
                        .isEqualTo(letters);
                sql.execute("ALTER DATABASE " + database + " CONNECTION LIMIT -1");
                stream.awaitConsumed(key, entry);
            } finally {
                sql.execute("ALTER DATABASE " + database + " CONNECTION LIMIT -1");
            }
        }
        assertThat(rules(contact(p, "sms", "marketing"))).containsExactly("opted_out");
        assertThat(deadLetters.count(consumer.group()).await().indefinitely()).isEqualTo(letters);
    }

    @Test
    void entriesAReplicaLeftPendingAreClaimedAndOneDeletedMeanwhileIsCounted() {
        String p = profileId();
        stream.publish(known(p), optIn(p));
        double deleted = metric("rapport_stream_consumer_deleted_total");
        String key = stream.streamOf(p);
        // a replica reads two entries and dies before it applies them; one is deleted meanwhile (an erasure)
        String[] gone = new String[1];
        redis.withConnection(one -> {
            one.execute("MULTI");
            one.execute("XADD", key, "*", StreamLayout.FIELD, smsOptOut(p).json());
            one.execute("XADD", key, "*", StreamLayout.FIELD, event("ticket_opened", p, Instant.now())
                    .prop("ticketId", "T-gone").json());
            one.execute("XREADGROUP", "GROUP", consumer.group(), "dead-replica", "COUNT", "100", "STREAMS", key, ">");
            gone[0] = one.execute("EXEC").get(1).toString();
        });
        redis.execute("XDEL", key, gone[0]);
        Await.until(() -> pending(key) == 0, "the entries of the dead replica are claimed and applied");
        assertThat(rules(contact(p, "sms", "marketing"))).as("the claimed opt-out applied")
                .containsExactly("opted_out");
        assertThat(rules(contact(p, "email", "marketing"))).as("the deleted ticket left nothing").isEmpty();
        assertThat(metric("rapport_stream_consumer_deleted_total")).isGreaterThan(deleted);
    }

    @Test
    void aConsumerStuckOnADatabaseThatIsDownTurnsReadinessRedUntilItCatchesUp() {
        String p = profileId();
        stream.publish(known(p), optIn(p));
        assertThat(consumerCheck()).isEqualTo("UP");
        DegradedTest.POSTGRES.down();
        String key = stream.streamOf(p);
        String entry = stream.add(smsOptOut(p));
        Await.until(() -> "DOWN".equals(consumerCheck()), "readiness turns red once the consumer is stuck");
        DegradedTest.POSTGRES.up();
        stream.awaitConsumed(key, entry);
        Await.until(() -> "UP".equals(consumerCheck()), "and green again once it caught up");
        assertThat(rules(contact(p, "sms", "marketing"))).containsExactly("opted_out");
    }

    private String consumerCheck() {
        JsonPath health = given().when().get("/q/health/ready").then().extract().jsonPath();
        return health.getString("checks.find { it.name == 'event-stream-consumer' }.status");
    }

    private long pending(String key) {
        StreamGroups.Group g = StreamGroups.find(redis.execute("XINFO", "GROUPS", key), consumer.group());
        return g == null ? 0 : g.pending();
    }

    static double metric(String name) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}

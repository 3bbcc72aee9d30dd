package dev.rapport.profile.stream;

import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.stream.StreamLayout;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.StreamSchema;
import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.service.EventIntake;
import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * What keeps the stream bounded and honest: trimming never drops an entry a consumer group has not acknowledged, a
 * replica with another partition count refuses to publish (and nothing it queued is stranded), and an erasure removes
 * the person's entries already published.
 */
@QuarkusTest
class StreamMaintenanceTest {

    private static final Instant T0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    @Inject
    RedisDataSource redis;
    @Inject
    StreamTrimmer trimmer;
    @Inject
    PartitionGuard guard;
    @Inject
    StreamLayout layout;
    @Inject
    EventIntake intake;
    @Inject
    AgroalDataSource db;

    @AfterEach
    void restoreMeta() {
        redis.execute("HSET", layout.meta(), StreamLayout.META_PARTITIONS, "16");
        guard.verify().await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void trimmingNeverDropsWhatAGroupHasNotAcknowledged() {
        int partition = 900 + (int) (System.nanoTime() % 90);
        String key = layout.stream(partition);
        redis.execute("DEL", key);
        for (int i = 0; i < 300; i++) {
            redis.execute("XADD", key, "*", StreamLayout.FIELD, "{\"n\":" + i + "}");
        }
        redis.execute("XGROUP", "CREATE", key, "laggard", "0");
        redis.execute("XGROUP", "CREATE", key, "caught-up", "$");
        List<String> entries = redis.stream(String.class).xreadgroup("laggard", "slow-replica", key, ">",
                new XReadGroupArgs().count(300)).stream().map(m -> m.id()).toList();
        assertThat(entries).hasSize(300);
        String firstUnacked = entries.get(100);
        for (int i = 0; i < 100; i++) {
            redis.execute("XACK", key, "laggard", entries.get(i));
        }

        StreamTrimmer.Trimmed held = trimmer.trim(partition, 50).await().atMost(Duration.ofSeconds(10));
        assertThat(held.length()).as("the 200 entries laggard has not acknowledged are all kept").isEqualTo(200);
        assertThat(held.held()).isEqualTo(150);
        assertThat(held.heldBy()).isEqualTo("laggard");
        assertThat(redis.execute("XRANGE", key, "-", "+", "COUNT", "1").get(0).get(0).toString())
                .isEqualTo(firstUnacked);

        for (int i = 100; i < 300; i++) {
            redis.execute("XACK", key, "laggard", entries.get(i));
        }
        StreamTrimmer.Trimmed done = trimmer.trim(partition, 50).await().atMost(Duration.ofSeconds(10));
        assertThat(done.held()).isZero();
        assertThat(done.length()).as("once acknowledged, everything over the bound goes but the last delivered")
                .isEqualTo(1);
        redis.execute("DEL", key);
    }

    @Test
    void aPartitionNoGroupReadsYetIsTrimmedToTheBound() {
        int partition = 990 + (int) (System.nanoTime() % 9);
        String key = layout.stream(partition);
        redis.execute("DEL", key);
        for (int i = 0; i < 120; i++) {
            redis.execute("XADD", key, "*", StreamLayout.FIELD, "{}");
        }
        assertThat(trimmer.trim(partition, 50).await().atMost(Duration.ofSeconds(10)).length()).isEqualTo(50);
        redis.execute("DEL", key);
    }

    @Test
    void aReplicaWithAnotherPartitionCountRefusesToPublishAndLosesNothing() throws Exception {
        redis.execute("HSET", layout.meta(), StreamLayout.META_PARTITIONS, "8");
        assertThat(guard.verify().onFailure().recoverWithItem(f -> null).await().atMost(Duration.ofSeconds(10)))
                .isNull();
        assertThat(guard.refused()).contains("8 partitions").contains("16");
        JsonPath health = given().when().get("/q/health/ready").then().extract().jsonPath();
        assertThat(health.getString("checks.find { it.name == 'event-stream-publisher' }.status")).isEqualTo("DOWN");

        // intake goes on: the event is stored and waits in the outbox
        Map<String, Object> e = event("page_viewed", T0, "email", email());
        String profile = given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(e)
                .when().post("/api/v1/events").then().statusCode(202).extract().path("accepted[0].profileId");
        Thread.sleep(1000);
        String id = (String) e.get("id");
        assertThat(queued(id)).as("kept in the outbox while refused").isTrue();
        // as if a replica with 24 partitions had queued it: published to the partition it was queued for
        update("UPDATE outbox SET partition = 20 WHERE event_id = ?", id);
        redis.execute("HSET", layout.meta(), StreamLayout.META_HIGHEST, "24");

        redis.execute("HSET", layout.meta(), StreamLayout.META_PARTITIONS, "16");
        guard.verify().await().atMost(Duration.ofSeconds(10));
        Await.until(() -> !queued(id), "published once the counts agree");
        assertThat(StreamReader.find(redis, layout.stream(20), id)).as("on partition 20").isNotNull();
        assertThat(StreamReader.find(redis, layout.stream(intake.partition(profile)), id)).isNull();
        assertThat(guard.highest().await().atMost(Duration.ofSeconds(5))).as("consumers read all 24").isEqualTo(24);
        redis.execute("HSET", layout.meta(), StreamLayout.META_HIGHEST, "16");
    }

    @Test
    void anErasureRemovesThePersonsPublishedEntriesButNotTheErasureItselfNorAnyoneElses() throws Exception {
        String mail = email();
        Map<String, Object> first = event("signed_up", T0, "email", mail);
        first.put("traits", Map.of("firstName", "Иван"));
        Map<String, Object> second = event("product_viewed", T0.plusSeconds(5), "email", mail);
        String profile = given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("events", List.of(first, second))).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
        Map<String, Object> other = event("signed_up", T0, "email", email());
        String otherProfile = given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(other).when().post("/api/v1/events").then().statusCode(202).extract()
                .path("accepted[0].profileId");
        String stream = layout.stream(intake.partition(profile));
        Await.until(() -> find(stream, (String) second.get("id")) != null, "published");
        JsonNode published = find(stream, (String) first.get("id"));
        assertThat(StreamSchema.violations(published.toString())).as("the entry follows the stream's schema").isEmpty();

        given().auth().oauth2(TestTokens.user("admin")).when().delete("/api/v1/profiles/" + profile).then()
                .statusCode(204);
        Await.until(() -> find(stream, (String) first.get("id")) == null
                && find(stream, (String) second.get("id")) == null,
                "the person's entries are removed from the stream");
        Await.until(() -> find(stream, "rapport:erased:" + profile) != null,
                "the erasure itself is published and stays");
        String otherStream = layout.stream(intake.partition(otherProfile));
        Await.until(() -> find(otherStream, (String) other.get("id")) != null, "published");
        assertThat(find(otherStream, (String) other.get("id"))).as("another person's entry stays").isNotNull();
        Await.until(() -> count("SELECT count(*) FROM stream_scrub") == 0, "the removal is done and forgotten");
        assertThat(find(stream, "rapport:erased:" + profile)).as("the erasure's own entry survives the sweep")
                .isNotNull();
    }

    private JsonNode find(String stream, String id) {
        try {
            return StreamReader.find(redis, stream, id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean queued(String eventId) {
        try {
            try (Connection c = db.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT count(*) FROM outbox WHERE event_id = ?")) {
                s.setString(1, eventId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String sql) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql, String param) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }
}

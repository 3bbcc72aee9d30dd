package dev.rapport.profile.stream;

import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TcpProxy;
import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.service.EventIntake;
import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** While Redis is down, events are accepted and kept in the outbox; when it is back, every one is published. */
@QuarkusTest
@TestProfile(RedisOutageTest.BehindAProxy.class)
class RedisOutageTest {

    static final TcpProxy REDIS = new TcpProxy("127.0.0.1", 6379);

    /** The service reaches Redis (database 1) through a proxy the test can take down. */
    public static class BehindAProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + REDIS.port() + "/1",
                    "rapport.profile.stream.relay-max-backoff", "500ms",
                    "rapport.profile.stream.relay-interval", "200ms");
        }
    }

    @Inject
    AgroalDataSource db;
    @Inject
    RedisDataSource redis;
    @Inject
    EventPublisher publisher;
    @Inject
    EventIntake intake;

    @AfterAll
    static void close() {
        REDIS.close();
    }

    @Test
    void keepsEventsInTheOutboxWhileRedisIsDownAndPublishesThemAllWhenItIsBack() throws Exception {
        REDIS.down();
        String mail = email();
        Instant at = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(event("page_viewed", at.plusSeconds(i), "email", mail));
        }
        String profile = given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("events", events)).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");

        Thread.sleep(1500);
        assertThat(waiting(events)).as("all still in the outbox while Redis is down").isEqualTo(20);

        REDIS.up();
        long left = 20;
        for (int i = 0; i < 100 && left > 0; i++) {
            Thread.sleep(100);
            left = waiting(events);
        }
        assertThat(left).as("outbox drained once Redis is back").isZero();
        String stream = publisher.streamName(intake.partition(profile));
        List<String> published = StreamReader.read(redis, stream).stream().map(e -> e.get("id").asText())
                .filter(id -> events.stream().anyMatch(e -> e.get("id").equals(id))).toList();
        assertThat(published).containsExactlyElementsOf(events.stream().map(e -> (String) e.get("id")).toList());
    }

    private long waiting(List<Map<String, Object>> events) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM outbox WHERE event_id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("text", events.stream().map(e -> e.get("id")).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}

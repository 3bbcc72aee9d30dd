package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Two replicas of profile-service and two of suppression-service on the same PostgreSQL and Redis, under concurrent
 * intake touching the same people through both: every accepted event is stored and published once, every fact is
 * applied (once: the consent evidence has one row per statement), both consumers share the work, merges agree, and
 * the databases do not meet a storm of deadlocks.
 */
@ExtendWith(Suite.class)
class ReplicasIT {

    private static final int PAIRS = 24;
    /** The CloudEvent's own id, the first field after its version. */
    private static final java.util.regex.Pattern EVENT_ID = java.util.regex.Pattern
            .compile("\\{\"specversion\":\"1.0\",\"id\":\"([^\"]+)\"");
    private static final List<String> PROFILES = List.of(Suite.port("profile-service") + "",
            Suite.replicaPort("profile-service") + "");

    @BeforeAll
    static void secondReplicas() {
        Suite.replicas("services", "profile-service suppression-service");
    }

    @AfterAll
    static void stopThem() {
        Suite.replicas("services-down", "");
    }

    @Test
    void concurrentIntakeThroughTwoReplicasOfEachIsPublishedAndAppliedOnceAndAgrees() throws Exception {
        Suite.policyWithoutCapsOrQuietHours();
        long profileDeadlocks = deadlocks("rapport_profile_it");
        long suppressionDeadlocks = deadlocks("rapport_suppression_it");
        double appliedA = applied(Suite.port("suppression-service"));
        double appliedB = applied(Suite.replicaPort("suppression-service"));

        // pairs of a person known by email and by phone: each side gets its facts, then one event makes them one
        Instant t = Instant.now().minus(Duration.ofHours(1));
        List<Map<String, Object>> events = new ArrayList<>();
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            String email = "rep-" + UUID.randomUUID() + "@example.com";
            String phone = "+7916" + String.format("%07d", 1_000_000 + Math.floorMod(UUID.randomUUID().hashCode(),
                    8_999_999));
            pairs.add(new String[] { email, phone });
            events.add(event("subscribed", t, Map.of("email", email), Map.of("channel", "all")));
            events.add(event("logged_in", t.plusSeconds(1), Map.of("phone", phone), Map.of()));
            events.add(event("unsubscribed", t.plusSeconds(2), Map.of("phone", phone), Map.of("channel", "sms")));
            events.add(event("ticket_opened", t.plusSeconds(3), Map.of("email", email), Map.of("ticketId", "T-" + i)));
            for (int n = 0; n < 4; n++) {
                events.add(event("page_viewed", t.plusSeconds(4 + n), Map.of(n % 2 == 0 ? "email" : "phone",
                        n % 2 == 0 ? email : phone), Map.of("productId", "p-" + n)));
            }
            events.add(event("logged_in", t.plusSeconds(10), Map.of("email", email, "phone", phone), Map.of()));
        }
        Collections.shuffle(events, new Random(42));
        List<List<Map<String, Object>>> batches = new ArrayList<>();
        for (int i = 0; i < events.size(); i += 6) {
            batches.add(events.subList(i, Math.min(events.size(), i + 6)));
        }
        String token = TestTokens.user("integrator");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            String port = PROFILES.get(i % 2);
            List<Map<String, Object>> batch = batches.get(i);
            answers.add(pool.submit(() -> given().port(Integer.parseInt(port)).auth().oauth2(token)
                    .contentType(ContentType.JSON).body(Map.of("events", batch)).when().post("/api/v1/events")));
        }
        for (Future<Response> f : answers) {
            Response r = f.get(120, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
            assertThat(r.jsonPath().getList("rejected")).isEmpty();
        }
        pool.shutdown();

        List<String> ids = events.stream().map(e -> (String) e.get("id")).toList();
        assertThat(count("rapport_profile_it", "SELECT count(*) FROM event WHERE id = ANY(?)", ids))
                .as("every event stored once").isEqualTo(ids.size());
        Await.until(() -> count("rapport_profile_it", "SELECT count(*) FROM outbox o JOIN event e ON e.id = o.event_id "
                + "WHERE e.id = ANY(?)", ids) == 0, Duration.ofSeconds(60), "every event left the outbox");

        Map<String, Integer> published = published(ids);
        assertThat(ids).as("every event published once").allSatisfy(id -> assertThat(published.get(id)).as(id)
                .isEqualTo(1));

        for (int i = 0; i < PAIRS; i++) {
            String profile = profileOf(pairs.get(i)[0]);
            assertThat(profileOf(pairs.get(i)[1])).as("pair %d is one person", i).isEqualTo(profile);
            int pair = i;
            Await.until(() -> rules(profile, "sms").containsAll(List.of("opted_out", "open_ticket")),
                    Duration.ofSeconds(60), "pair " + pair + ": the opt-out and the ticket apply to the survivor");
            for (int port : List.of(Suite.port("suppression-service"), Suite.replicaPort("suppression-service"))) {
                assertThat(rules(port, profile, "email")).as("pair %d on port %d", i, port)
                        .containsExactly("open_ticket");
            }
        }
        List<String> optOuts = events.stream().filter(e -> e.get("type").equals("unsubscribed"))
                .map(e -> (String) e.get("id")).toList();
        assertThat(count("rapport_suppression_it", "SELECT count(*) FROM consent_history WHERE event_id = ANY(?)",
                optOuts)).as("each opt-out applied once").isEqualTo(optOuts.size());
        assertThat(applied(Suite.port("suppression-service")) - appliedA).as("replica A applied its share")
                .isPositive();
        assertThat(applied(Suite.replicaPort("suppression-service")) - appliedB).as("replica B applied its share")
                .isPositive();
        assertThat(deadlocks("rapport_profile_it") - profileDeadlocks).as("deadlocks in profile-service")
                .isLessThanOrEqualTo(3);
        assertThat(deadlocks("rapport_suppression_it") - suppressionDeadlocks).as("deadlocks in suppression-service")
                .isLessThanOrEqualTo(3);
    }

    private static Map<String, Object> event(String type, Instant at, Map<String, String> identifiers,
            Map<String, Object> properties) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "rep-" + UUID.randomUUID());
        e.put("type", type);
        e.put("channel", "web");
        e.put("occurredAt", at.toString());
        e.put("identifiers", identifiers);
        e.put("properties", properties);
        return e;
    }

    /** How often each of these event ids is on the suite's event stream (every partition). */
    private static Map<String, Integer> published(List<String> ids) throws Exception {
        java.util.Set<String> wanted = new java.util.HashSet<>(ids);
        Map<String, Integer> seen = new HashMap<>();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx,
                    "redis://127.0.0.1:6379/2");
            for (int p = 0; p < 16; p++) {
                io.vertx.redis.client.Response entries = redis.send(io.vertx.redis.client.Request
                        .cmd(io.vertx.redis.client.Command.XRANGE).arg("rapport:profile:events:{" + p + "}").arg("-")
                        .arg("+")).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                for (io.vertx.redis.client.Response entry : entries) {
                    io.vertx.redis.client.Response fields = entry.get(1);
                    for (int f = 0; f + 1 < fields.size(); f += 2) {
                        java.util.regex.Matcher id = EVENT_ID.matcher(fields.get(f + 1).toString());
                        if (id.find() && wanted.contains(id.group(1))) {
                            seen.merge(id.group(1), 1, Integer::sum);
                        }
                    }
                }
            }
            redis.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return seen;
    }

    private static String profileOf(String identifier) {
        String kind = identifier.contains("@") ? "email" : "phone";
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .queryParam(kind, identifier).when().get("/api/v1/profiles").then().statusCode(200).extract()
                .path("id");
    }

    private static List<String> rules(String profile, String channel) {
        return rules(Suite.port("suppression-service"), profile, channel);
    }

    private static List<String> rules(int port, String profile, String channel) {
        return given().port(port).auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("profileId", profile, "channel", channel, "purpose", "marketing")).when()
                .post("/api/v1/decisions").then().statusCode(200).extract().jsonPath().getList("reasons.rule",
                        String.class);
    }

    private static double applied(int port) {
        return given().port(port).when().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("rapport_stream_consumer_applied_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static Connection connect(String database) throws SQLException {
        String host = System.getenv().getOrDefault("RAPPORT_DB_HOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("RAPPORT_DB_PORT", "5432");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database,
                System.getenv().getOrDefault("RAPPORT_DB_USER", "rapport"),
                System.getenv().getOrDefault("RAPPORT_DB_PASSWORD", "rapport"));
    }

    private static long deadlocks(String database) throws SQLException {
        try (Connection c = connect(database);
                PreparedStatement s = c.prepareStatement("SELECT deadlocks FROM pg_stat_database WHERE datname = ?")) {
            s.setString(1, database);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long count(String database, String sql, List<String> ids) {
        try (Connection c = connect(database); PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

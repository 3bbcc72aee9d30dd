package dev.rapport.profile.stream;

import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.StreamLayout;
import dev.rapport.common.testing.RedisCluster;
import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.service.EventIntake;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Redis Cluster is a supported deployment: on a real local cluster of three masters, a batch of events of many people
 * is published to every partition (each on the node of its hash tag, no cross-slot batch), the partition count is
 * kept, partitions are trimmed, and an erasure removes the person's entries.
 */
@QuarkusTest
@TestProfile(RedisCluster.OnACluster.class)
class RedisClusterTest {

    private static final Instant T0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    @Inject
    RedisDataSource redis;
    @Inject
    StreamLayout layout;
    @Inject
    EventIntake intake;
    @Inject
    PartitionGuard guard;
    @Inject
    StreamTrimmer trimmer;

    @Test
    void aBatchOfManyPeopleIsPublishedToEveryPartitionOfTheCluster() throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            events.add(event("page_viewed", T0.plusSeconds(i), "email", email()));
        }
        List<String> profiles = given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("events", events)).when().post("/api/v1/events").then().statusCode(202).extract()
                .jsonPath().getList("accepted.profileId", String.class);
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; i < profiles.size(); i++) {
            int partition = intake.partition(profiles.get(i));
            partitions.add(partition);
            String id = (String) events.get(i).get("id");
            assertThat(EventStreamTest.await(() -> StreamReader.find(redis, layout.stream(partition), id)))
                    .as("event %s on partition %d", id, partition).isNotNull();
        }
        assertThat(partitions).as("the batch spans the partitions, so the nodes").hasSizeGreaterThan(8);

        guard.verify().await().atMost(Duration.ofSeconds(10));
        assertThat(guard.refused()).isNull();
        assertThat(trimmer.trim().await().atMost(Duration.ofSeconds(30))).isZero();

        String erased = profiles.get(0);
        given().auth().oauth2(TestTokens.user("admin")).when().delete("/api/v1/profiles/" + erased).then()
                .statusCode(204);
        String stream = layout.stream(intake.partition(erased));
        String first = (String) events.get(0).get("id");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (StreamReader.find(redis, stream, first) != null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(StreamReader.find(redis, stream, first)).as("the erased person's entry is gone").isNull();
        assertThat(StreamReader.find(redis, layout.stream(intake.partition(profiles.get(1))),
                (String) events.get(1).get("id"))).isNotNull();
    }
}

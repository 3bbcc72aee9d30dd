package dev.rapport.suppression.stream;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static dev.rapport.suppression.rest.Api.rules;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.testing.RedisCluster;
import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;
import dev.rapport.suppression.ContactRequest;
import dev.rapport.suppression.Decision;
import dev.rapport.suppression.SuppressionFixtures;
import dev.rapport.suppression.Verdict;
import dev.rapport.suppression.rest.Api;
import dev.rapport.suppression.service.Decisions;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Redis Cluster is a supported deployment: the same service, on a real local cluster of three masters, consumes every
 * partition (each on the node of its hash tag), keeps dead letters, and checks and reserves the contact-pressure
 * counters of many people at once though their hashes live on different nodes.
 */
@QuarkusTest
@TestProfile(RedisCluster.OnACluster.class)
class RedisClusterTest {

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;
    @Inject
    Decisions decisions;

    EventStreamFixture stream;

    @BeforeEach
    void setUp() {
        stream = new EventStreamFixture(redis, consumer);
        Api.policy(Map.of("ticketGracePeriod", "PT0S", "caps", List.of(Map.of("limit", 1, "days", 1))));
    }

    SuppressionFixtures.Event known(String p) {
        return event("logged_in", p, Instant.now().minus(Duration.ofDays(5))).channel("web")
                .id("email", p + "@example.com").id("phone", "+79161234567");
    }

    SuppressionFixtures.Event optIn(String p) {
        return event("subscribed", p, Instant.now().minus(Duration.ofDays(5))).prop("channel", "all");
    }

    @Test
    void factsMergesAndDeadLettersOfEveryPartitionApplyOnTheCluster() {
        List<SuppressionFixtures.Event> events = new ArrayList<>();
        List<String> people = new ArrayList<>();
        Set<String> partitions = new HashSet<>();
        while (partitions.size() < 16) {
            String p = profileId();
            if (partitions.add(stream.streamOf(p))) {
                people.add(p);
                events.add(known(p));
                events.add(optIn(p));
                events.add(event("ticket_opened", p, Instant.now().minus(Duration.ofMinutes(5)))
                        .prop("ticketId", "T-1"));
            }
        }
        stream.publish(events);
        for (String p : people) {
            assertThat(rules(contact(p, "email", "marketing"))).as(p).containsExactly("open_ticket");
        }
        String survivor = people.get(0);
        String merged = profileId();
        stream.publish(event("profile_merged", survivor, Instant.now()).prop("survivorId", survivor)
                .prop("mergedId", merged));
        stream.publish(event("ticket_resolved", survivor, Instant.now().minus(Duration.ofMinutes(1)))
                .prop("ticketId", "T-1"), event("unsubscribed", merged, Instant.now()).channel("sms"));
        assertThat(rules(contact(merged, "sms", "marketing"))).containsExactly("opted_out");
        String poisoned = people.get(1);
        stream.publish(event("ticket_opened", poisoned, Instant.now()).prop("ticketId", "T-\u0000"));
        assertThat(Api.get("admin", "/api/v1/stream/dead-letters?limit=500").statusCode(200).extract().jsonPath()
                .getList("items.profileId", String.class)).contains(poisoned);
    }

    @Test
    void theCountersOfManyPeopleOnDifferentNodesAreReservedInOneCallAndFollowAMerge() {
        List<String> people = new ArrayList<>();
        List<SuppressionFixtures.Event> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String p = profileId();
            people.add(p);
            events.add(known(p));
            events.add(optIn(p));
        }
        stream.publish(events);
        List<ContactRequest> batch = people.stream().map(p -> new ContactRequest(p, Channel.EMAIL, Purpose.MARKETING,
                "c-cluster", List.of(), List.of(), null, true)).toList();
        List<Verdict> first = decisions.decide(batch, "cluster-test").await().atMost(Duration.ofSeconds(30));
        assertThat(first).extracting(Verdict::decision).containsOnly(Decision.ALLOW);
        List<Verdict> second = decisions.decide(batch, "cluster-test").await().atMost(Duration.ofSeconds(30));
        assertThat(second).as("the daily cap of every one of them is taken").extracting(Verdict::decision)
                .containsOnly(Decision.DEFER);

        // a merge moves the merged person's count to the survivor, on another node
        String fresh = profileId();
        stream.publish(known(fresh), optIn(fresh));
        assertThat(rules(contact(fresh, "email", "marketing"))).isEmpty();
        stream.publish(event("profile_merged", fresh, Instant.now()).prop("survivorId", fresh)
                .prop("mergedId", people.get(0)));
        assertThat(rules(contact(fresh, "email", "marketing"))).containsExactly("frequency_cap");
    }
}

package dev.rapport.suppression.rest;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.suppression.stream.EventStreamFixture;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/** Two campaigns deciding for the same person at the same moment cannot both pass a cap of one. */
@QuarkusTest
class ConcurrentCommitTest {

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;

    @Test
    void concurrentCommittedDecisionsNeverOvershootACapOfOne() throws Exception {
        Api.policy(Map.of("caps", List.of(Map.of("limit", 1, "days", 1))));
        String p = profileId();
        new EventStreamFixture(redis, consumer).publish(
                event("logged_in", p, Instant.now().minus(Duration.ofDays(1))).id("email", "c@example.com")
                        .id("phone", "+79160000001"),
                event("subscribed", p, Instant.now().minus(Duration.ofDays(1))).prop("channel", "all"));
        int deciders = 24;
        ExecutorService pool = Executors.newFixedThreadPool(deciders);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < deciders; i++) {
            String channel = i % 2 == 0 ? "email" : "sms";
            String campaign = "c-" + i;
            answers.add(pool.submit(() -> {
                Map<String, Object> body = contact(p, channel, "marketing");
                body.put("commit", true);
                body.put("campaignId", campaign);
                start.await();
                return Api.decision(body).getString("decision");
            }));
        }
        start.countDown();
        List<String> decisions = new ArrayList<>();
        for (Future<String> f : answers) {
            decisions.add(f.get());
        }
        pool.shutdown();
        assertThat(decisions.stream().filter("allow"::equals).count()).as("exactly one passes the cap").isEqualTo(1);
        assertThat(decisions.stream().filter("defer"::equals).count()).as("the rest held until the cap lifts")
                .isEqualTo(deciders - 1);
        Api.get("agent", "/api/v1/profiles/" + p + "/decisions?limit=100").statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.equalTo(deciders));
    }
}

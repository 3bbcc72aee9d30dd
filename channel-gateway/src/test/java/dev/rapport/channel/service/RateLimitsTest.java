package dev.rapport.channel.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * The providers' token buckets in the real Redis: what callers take at once (as replicas would) never exceeds a
 * second's worth, a refused take says how long to wait and takes nothing, and a message dearer than a second's worth
 * still goes once the bucket is full.
 */
@QuarkusTest
class RateLimitsTest {

    @Inject
    RateLimits limits;

    @Test
    void callersTakingAtOnceShareOneBucketAndNeverTakeMoreThanItHolds() {
        String bucket = "test-" + UUID.randomUUID();
        List<Uni<Duration>> takes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            takes.add(limits.take(bucket, 20, 1));
        }
        List<Duration> answers = Uni.join().all(takes).andFailFast().await().atMost(Duration.ofSeconds(10));
        assertThat(answers.stream().filter(Duration::isZero).count()).as("a second's worth, taken at once")
                .isBetween(20L, 21L);
        assertThat(answers.stream().filter(d -> !d.isZero())).allSatisfy(d -> assertThat(d)
                .isLessThanOrEqualTo(Duration.ofMillis(100)));
    }

    @Test
    void aRefusedTakeSaysHowLongToWaitAndTakesNothing() throws Exception {
        String bucket = "test-" + UUID.randomUUID();
        assertThat(take(bucket, 10, 10)).isZero();
        Duration wait = take(bucket, 10, 5);
        assertThat(wait).isGreaterThan(Duration.ofMillis(300)).isLessThanOrEqualTo(Duration.ofMillis(500));
        Thread.sleep(wait.toMillis() + 50);
        assertThat(take(bucket, 10, 5)).as("nothing was taken by the refusal, so 5 are there now").isZero();
    }

    @Test
    void aMessageDearerThanASecondsWorthGoesOnceTheBucketIsFull() {
        String bucket = "test-" + UUID.randomUUID();
        assertThat(take(bucket, 2, 7)).as("a seven-part SMS at two parts a second").isZero();
        assertThat(take(bucket, 2, 7)).isGreaterThan(Duration.ofSeconds(3));
    }

    @Test
    void aProviderWithoutALimitIsNeverAskedToWait() {
        assertThat(limits.limit("smtp")).isZero();
        assertThat(limits.take("smtp", 1_000).await().atMost(Duration.ofSeconds(5))).isZero();
        assertThat(limits.limit("twilio")).isEqualTo(40);
    }

    private Duration take(String bucket, int rate, int cost) {
        return limits.take(bucket, rate, cost).await().atMost(Duration.ofSeconds(5));
    }
}

package dev.rapport.common.testing;

import java.time.Duration;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.stream.StreamGroups;
import dev.rapport.common.stream.StreamLayout;
import io.quarkus.arc.Arc;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * For the tests of a service that consumes the event stream: publishes entries as profile-service does (a CloudEvents
 * document on partition hash(profile) mod 16) and waits until the service's consumer group has applied and
 * acknowledged them.
 */
public final class EventStreamPublisher {

    private final RedisDataSource redis;
    private final EventStreamConsumer consumer;
    private final StreamLayout layout;

    public EventStreamPublisher(RedisDataSource redis, EventStreamConsumer consumer) {
        this.redis = redis;
        this.consumer = consumer;
        this.layout = Arc.container().instance(StreamLayout.class).get();
    }

    /** The stream key of a profile's partition. */
    public String streamOf(String profileId) {
        return layout.stream(StreamLayout.partition(profileId, 16));
    }

    /** The stream key of a partition. */
    public String stream(int partition) {
        return layout.stream(partition);
    }

    /** Adds a CloudEvents document on a stream, without waiting; answers the entry id. */
    public String add(String key, String cloudEvent) {
        return redis.execute("XADD", key, "*", StreamLayout.FIELD, cloudEvent).toString();
    }

    /** Adds a document on the partition of its profile and waits until it is applied. */
    public void publish(String profileId, String cloudEvent) {
        String key = streamOf(profileId);
        awaitConsumed(key, add(key, cloudEvent));
    }

    /** Waits until the entry of a stream is applied and nothing of the stream is pending. */
    public void awaitConsumed(String key, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            StreamGroups.Group g = group(key);
            if (g != null && StreamGroups.compareIds(g.lastDelivered(), id) >= 0 && g.pending() == 0) {
                return;
            }
            sleep();
        }
        throw new AssertionError("the consumer did not apply entry " + id + " of " + key + " within 20 s");
    }

    /** Waits until nothing of a stream is pending for the consumer group. */
    public void awaitNothingPending(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            StreamGroups.Group g = group(key);
            if (g == null || g.pending() == 0) {
                return;
            }
            sleep();
        }
        throw new AssertionError("entries of " + key + " stay pending");
    }

    private StreamGroups.Group group(String key) {
        return StreamGroups.find(redis.execute("XINFO", "GROUPS", key), consumer.group());
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.suppression.stream;

import java.time.Duration;
import java.util.List;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.stream.StreamGroups;
import dev.rapport.common.stream.StreamLayout;
import dev.rapport.suppression.SuppressionFixtures;
import io.quarkus.arc.Arc;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * Publishes events on the event stream as profile-service does (CloudEvents on partition hash(profile) mod 16) and
 * waits until this service's consumer group has applied and acknowledged them.
 */
public final class EventStreamFixture {

    private final RedisDataSource redis;
    private final EventStreamConsumer consumer;
    private final StreamLayout layout;

    public EventStreamFixture(RedisDataSource redis, EventStreamConsumer consumer) {
        this.redis = redis;
        this.consumer = consumer;
        this.layout = Arc.container().instance(StreamLayout.class).get();
    }

    /** The stream key of a profile's partition. */
    public String streamOf(String profileId) {
        return layout.stream(StreamLayout.partition(profileId, 16));
    }

    /** Publishes one event on its profile's partition, without waiting; answers the entry id. */
    public String add(SuppressionFixtures.Event e) {
        return redis.execute("XADD", streamOf(e.profileId()), "*", StreamLayout.FIELD, e.json()).toString();
    }

    /** Publishes an event on the partition of another profile (as a merge travels on the survivor's). */
    public void publishOn(String partitionOf, SuppressionFixtures.Event e) {
        String key = streamOf(partitionOf);
        awaitConsumed(key, redis.execute("XADD", key, "*", StreamLayout.FIELD, e.json()).toString());
    }

    /** Publishes the events, in order, and waits until they are applied. */
    public void publish(SuppressionFixtures.Event... events) {
        publish(List.of(events));
    }

    public void publish(List<SuppressionFixtures.Event> events) {
        String lastKey = null;
        String lastId = null;
        for (SuppressionFixtures.Event e : events) {
            lastKey = streamOf(e.profileId());
            lastId = add(e);
        }
        awaitConsumed(lastKey, lastId);
        // entries of other partitions published before may still be in flight: wait for every partition
        for (int p = 0; p < 16; p++) {
            awaitNothingPending(layout.stream(p));
        }
    }

    /** Publishes raw entries (fields and values) on a partition, and waits until they are acknowledged. */
    public void publishRaw(int partition, String... fieldsAndValues) {
        String key = layout.stream(partition);
        java.util.List<String> args = new java.util.ArrayList<>(List.of(key, "*"));
        args.addAll(List.of(fieldsAndValues));
        String id = redis.execute("XADD", args.toArray(String[]::new)).toString();
        awaitConsumed(key, id);
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

    private void awaitNothingPending(String key) {
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

package dev.rapport.suppression.stream;

import java.util.List;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.testing.EventStreamPublisher;
import dev.rapport.suppression.SuppressionFixtures;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * Publishes suppression's test events on the event stream ({@link EventStreamPublisher} does the work) and waits until
 * this service's consumer group has applied and acknowledged them.
 */
public final class EventStreamFixture {

    private final EventStreamPublisher publisher;
    private final RedisDataSource redis;

    public EventStreamFixture(RedisDataSource redis, EventStreamConsumer consumer) {
        this.publisher = new EventStreamPublisher(redis, consumer);
        this.redis = redis;
    }

    /** The stream key of a profile's partition. */
    public String streamOf(String profileId) {
        return publisher.streamOf(profileId);
    }

    /** Publishes one event on its profile's partition, without waiting; answers the entry id. */
    public String add(SuppressionFixtures.Event e) {
        return publisher.add(streamOf(e.profileId()), e.json());
    }

    /** Publishes an event on the partition of another profile (as a merge travels on the survivor's). */
    public void publishOn(String partitionOf, SuppressionFixtures.Event e) {
        String key = streamOf(partitionOf);
        awaitConsumed(key, publisher.add(key, e.json()));
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
            publisher.awaitNothingPending(publisher.stream(p));
        }
    }

    /** Publishes raw entries (fields and values) on a partition, and waits until they are acknowledged. */
    public void publishRaw(int partition, String... fieldsAndValues) {
        String key = publisher.stream(partition);
        java.util.List<String> args = new java.util.ArrayList<>(List.of(key, "*"));
        args.addAll(List.of(fieldsAndValues));
        String id = redis.execute("XADD", args.toArray(String[]::new)).toString();
        awaitConsumed(key, id);
    }

    /** Waits until the entry of a stream is applied and nothing of the stream is pending. */
    public void awaitConsumed(String key, String id) {
        publisher.awaitConsumed(key, id);
    }
}

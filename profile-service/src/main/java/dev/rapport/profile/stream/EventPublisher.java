package dev.rapport.profile.stream;

import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * Publishes stored events to the event stream. Redis Streams by default; a deployment that outgrows it can supply a
 * Kafka implementation of this interface without touching the outbox.
 */
public interface EventPublisher {

    /**
     * Appends messages to partitions of the stream, each partition's in the given order. Completes once the stream has
     * them all; fails when it could not, in which case some may have been appended and all will be sent again (at least
     * once).
     *
     * @param messages CloudEvents JSON documents by partition number
     */
    Uni<Void> publish(Map<Integer, List<String>> messages);

    /** The stream name of a partition, for documentation and consumers. */
    String streamName(int partition);
}

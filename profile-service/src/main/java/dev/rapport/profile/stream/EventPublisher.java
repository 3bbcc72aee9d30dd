package dev.rapport.profile.stream;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * Publishes stored events to the event stream. Redis Streams by default; a deployment that outgrows it can supply a
 * Kafka implementation of this interface without touching the outbox.
 */
public interface EventPublisher {

    /**
     * Appends the messages, in order, to one partition of the stream. Completes once the stream has them all; fails
     * when it could not, in which case some may have been appended and all will be sent again (at least once).
     *
     * @param partition partition number
     * @param messages CloudEvents JSON documents
     */
    Uni<Void> publish(int partition, List<String> messages);

    /** The stream name of a partition, for documentation and consumers. */
    String streamName(int partition);
}

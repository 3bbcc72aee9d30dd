package dev.rapport.common.stream;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * What a service does with the events of the stream; a service that has a bean of this type consumes the stream with
 * {@link EventStreamConsumer}, under its own consumer group.
 */
public interface EventHandler {

    /**
     * Applies events in the order given (stream order within each partition; partitions interleave, so nothing may
     * depend on the order across profiles). It must be idempotent, since an event comes again after a failure or a
     * restart, and its outcome must not depend on the order in which a profile's events and its merges arrive. A
     * failure fails all the events given: a temporary one (see {@code Failures.isTemporary}) has them all tried again
     * later; a permanent one has each tried alone, and one that still fails for good is set aside as a dead letter.
     */
    Uni<Void> apply(List<StreamEvent> events);
}

package dev.rapport.common.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.rapport.common.stream.EventStreamConsumer;

/**
 * Not ready while this service's event-stream consumer is stuck: no progress (caught up, or entries acknowledged) for
 * {@code rapport.stream.consumer.stuck-after}. Decisions made on a state that has stopped following the stream would
 * miss opt-outs and tickets. Always up in a service that does not consume the stream.
 */
@Readiness
@ApplicationScoped
public class EventStreamConsumerCheck implements HealthCheck {

    private final EventStreamConsumer consumer;

    public EventStreamConsumerCheck(EventStreamConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("event-stream-consumer");
        if (!consumer.active()) {
            return builder.withData("consuming", false).up().build();
        }
        builder.withData("group", consumer.group()).withData("consumer", consumer.name())
                .withData("partitions", consumer.partitions())
                .withData("secondsSinceProgress", consumer.sinceProgress().toSeconds());
        if (consumer.lastFailure() != null) {
            builder.withData("lastFailure", consumer.lastFailure());
        }
        return consumer.stuck() ? builder.down().build() : builder.up().build();
    }
}

package dev.rapport.profile.stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while this replica refuses to publish because its partition count is not the stream's. */
@Readiness
@ApplicationScoped
public class PublisherCheck implements HealthCheck {

    private final PartitionGuard partitions;

    public PublisherCheck(PartitionGuard partitions) {
        this.partitions = partitions;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("event-stream-publisher");
        String refused = partitions.refused();
        return refused == null ? builder.up().build() : builder.withData("refused", refused).down().build();
    }
}

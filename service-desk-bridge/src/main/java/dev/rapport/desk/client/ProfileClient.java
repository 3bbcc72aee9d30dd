package dev.rapport.desk.client;

import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.RecordEventsRequest;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * profile-service as the bridge uses it: events of tickets are recorded through {@code RecordEvents}, with this
 * service's own token. A deadline and a circuit breaker bound a slow or absent profile-service; the caller retries.
 */
@ApplicationScoped
public class ProfileClient {

    private final ProfileService profiles;

    public ProfileClient(@GrpcClient("profile") ProfileService profiles) {
        this.profiles = profiles;
    }

    /** Records events; answers profile-service's accepted and rejected events. */
    @AsynchronousNonBlocking
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<RecordEventsResponse> record(List<Event> events) {
        return profiles.recordEvents(RecordEventsRequest.newBuilder().addAllEvents(events).build());
    }
}

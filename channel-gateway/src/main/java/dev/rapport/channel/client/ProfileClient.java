package dev.rapport.channel.client;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.GetProfileRequest;
import dev.rapport.proto.profile.v1.Profile;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.RecordEventsRequest;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * profile-service as the gateway uses it, with this service's own token: the person a message is for (its addresses)
 * and the events its status changes become. A deadline and a circuit breaker bound a slow or absent profile-service;
 * a person it does not have is an empty answer, not a failure.
 */
@ApplicationScoped
public class ProfileClient {

    private final ProfileService profiles;

    public ProfileClient(@GrpcClient("profile") ProfileService profiles) {
        this.profiles = profiles;
    }

    /** A profile (following merges), or empty when profile-service has none (or it was erased). */
    @AsynchronousNonBlocking
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<Optional<Profile>> profile(String profileId) {
        return profiles.getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
                .map(r -> Optional.of(r.getProfile())).onFailure(f -> f instanceof StatusRuntimeException s
                        && s.getStatus().getCode() == Status.Code.NOT_FOUND).recoverWithItem(Optional.empty());
    }

    /** Records events; answers profile-service's accepted and rejected events. */
    @AsynchronousNonBlocking
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<RecordEventsResponse> record(List<Event> events) {
        return profiles.recordEvents(RecordEventsRequest.newBuilder().addAllEvents(events).build());
    }
}

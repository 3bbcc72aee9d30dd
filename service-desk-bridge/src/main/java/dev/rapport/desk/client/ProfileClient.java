package dev.rapport.desk.client;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.GetProfileRequest;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.ListTimelineRequest;
import dev.rapport.proto.profile.v1.Profile;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.RecordEventsRequest;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import dev.rapport.proto.profile.v1.ResolveProfileRequest;
import dev.rapport.proto.profile.v1.StoredEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * profile-service as the bridge uses it: events of tickets and agent outcomes are recorded through
 * {@code RecordEvents}, and the agent's context reads the person ({@code ResolveProfile}, {@code GetProfile},
 * {@code ListTimeline}), with this service's own token. A deadline and a circuit breaker bound a slow or absent
 * profile-service; a person it does not have is an empty answer, not a failure.
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

    /** The profile an identifier belongs to, or empty when none does. */
    @AsynchronousNonBlocking
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<Optional<String>> resolve(Identifier identifier) {
        return orNone(profiles.resolveProfile(ResolveProfileRequest.newBuilder().setIdentifier(identifier).build())
                .map(r -> r.getProfileId()));
    }

    /** A profile (following merges), or empty when profile-service has none (or it was erased). */
    @AsynchronousNonBlocking
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<Optional<Profile>> profile(String profileId) {
        return orNone(profiles.getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
                .map(r -> r.getProfile()));
    }

    /** The latest events of a profile, newest first. */
    @AsynchronousNonBlocking
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<List<StoredEvent>> timeline(String profileId, int limit) {
        return profiles.listTimeline(ListTimelineRequest.newBuilder().setProfileId(profileId).setLimit(limit).build())
                .map(r -> r.getEventsList());
    }

    private static <T> Uni<Optional<T>> orNone(Uni<T> call) {
        return call.map(Optional::of).onFailure(f -> f instanceof StatusRuntimeException s
                && s.getStatus().getCode() == Status.Code.NOT_FOUND).recoverWithItem(Optional.empty());
    }
}

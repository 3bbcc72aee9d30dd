package dev.rapport.campaign.client;

import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.rapport.proto.profile.v1.CountAudienceRequest;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.Segment;
import dev.rapport.proto.profile.v1.StreamAudienceRequest;
import dev.rapport.proto.profile.v1.StreamAudienceResponse;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * profile-service as campaign-service uses it, with this service's own token: how many people a segment holds and
 * who they are. A deadline bounds a slow profile-service; a segment it refuses comes back as its
 * {@code INVALID_ARGUMENT}, each fault named.
 */
@ApplicationScoped
public class ProfileClient {

    private final ProfileService profiles;

    public ProfileClient(@GrpcClient("profile") ProfileService profiles) {
        this.profiles = profiles;
    }

    /** How many live profiles the segment holds. */
    @AsynchronousNonBlocking
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    public Uni<Long> count(Segment segment) {
        return profiles.countAudience(CountAudienceRequest.newBuilder().setSegment(segment).build())
                .map(r -> r.getCount());
    }

    /** The first {@code n} members of the segment (in profile-id order), with the traits named. */
    @AsynchronousNonBlocking
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    public Uni<List<StreamAudienceResponse>> sample(Segment segment, List<String> traits, int n) {
        return profiles.streamAudience(StreamAudienceRequest.newBuilder().setSegment(segment).addAllTraitKeys(traits)
                .build()).select().first(n).collect().asList();
    }
}

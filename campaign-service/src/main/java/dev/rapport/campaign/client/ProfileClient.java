package dev.rapport.campaign.client;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Timeout;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;

import dev.rapport.proto.profile.v1.CountAudienceRequest;
import dev.rapport.proto.profile.v1.GetProfileRequest;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.Segment;
import dev.rapport.proto.profile.v1.StreamAudienceRequest;
import dev.rapport.proto.profile.v1.StreamAudienceResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

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

    /** A profile's traits (following merges), or empty when profile-service has no such person. */
    @AsynchronousNonBlocking
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    public Uni<Optional<Map<String, Object>>> traits(String profileId) {
        return profiles.getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
                .map(r -> Optional.of(plain(r.getProfile().getTraits())))
                .onFailure(f -> f instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(Optional.empty());
    }

    /** A Struct as plain values (strings, numbers, booleans, lists, maps). */
    public static Map<String, Object> plain(Struct s) {
        try {
            return new JsonObject(JsonFormat.printer().print(s)).getMap();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("profile-service answered a Struct that is not JSON", e);
        }
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

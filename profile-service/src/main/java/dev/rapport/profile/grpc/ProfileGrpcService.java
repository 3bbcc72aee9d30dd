package dev.rapport.profile.grpc;

import java.util.LinkedHashSet;

import jakarta.annotation.security.RolesAllowed;

import dev.rapport.common.error.RapportException;
import dev.rapport.common.security.Roles;
import dev.rapport.profile.Identifier;
import dev.rapport.profile.IdentifierNormalizer;
import dev.rapport.profile.TimelineCursor;
import dev.rapport.profile.service.Audiences;
import dev.rapport.profile.service.EventIntake;
import dev.rapport.profile.service.ProfileQueries;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.AcceptedEvent;
import dev.rapport.proto.profile.v1.CountAudienceRequest;
import dev.rapport.proto.profile.v1.CountAudienceResponse;
import dev.rapport.proto.profile.v1.GetProfileRequest;
import dev.rapport.proto.profile.v1.GetProfileResponse;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.ListTimelineRequest;
import dev.rapport.proto.profile.v1.ListTimelineResponse;
import dev.rapport.proto.profile.v1.MutinyProfileServiceGrpc;
import dev.rapport.proto.profile.v1.RecordEventsRequest;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import dev.rapport.proto.profile.v1.RejectedEvent;
import dev.rapport.proto.profile.v1.ResolveProfileRequest;
import dev.rapport.proto.profile.v1.ResolveProfileResponse;
import dev.rapport.proto.profile.v1.StreamAudienceRequest;
import dev.rapport.proto.profile.v1.StreamAudienceResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of profile-service ({@code rapport.profile.v1.ProfileService}), for Rapport's other services only: every
 * call needs a client-credentials token with the {@code service} role. Adapters only: shape checks and mapping.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class ProfileGrpcService extends MutinyProfileServiceGrpc.ProfileServiceImplBase {

    private final EventIntake intake;
    private final ProfileQueries queries;
    private final Audiences audiences;
    private final IdentifierNormalizer normalizer;

    public ProfileGrpcService(EventIntake intake, ProfileQueries queries, Audiences audiences,
            IdentifierNormalizer normalizer) {
        this.intake = intake;
        this.queries = queries;
        this.audiences = audiences;
        this.normalizer = normalizer;
    }

    @Override
    public Uni<RecordEventsResponse> recordEvents(RecordEventsRequest request) {
        if (request.getEventsCount() == 0) {
            return Uni.createFrom().failure(RapportException.invalidField("events", "must hold at least one event"));
        }
        return intake.submit(request.getEventsList().stream().map(ProfileMapper::raw).toList(), true)
                .map(outcome -> {
                    RecordEventsResponse.Builder out = RecordEventsResponse.newBuilder();
                    outcome.accepted().forEach(a -> out.addAccepted(AcceptedEvent.newBuilder().setId(a.id())
                            .setProfileId(a.profileId()).setDuplicate(a.duplicate())));
                    outcome.rejected().forEach(r -> {
                        RejectedEvent.Builder rejected = RejectedEvent.newBuilder().setIndex(r.index());
                        if (r.id() != null) {
                            rejected.setId(r.id());
                        }
                        r.errors().forEach(e -> rejected.addErrors(dev.rapport.proto.common.v1.FieldError.newBuilder()
                                .setField(e.field()).setMessage(e.message())));
                        out.addRejected(rejected);
                    });
                    return out.build();
                });
    }

    @Override
    public Uni<ResolveProfileResponse> resolveProfile(ResolveProfileRequest request) {
        return Uni.createFrom().item(() -> identifier(request))
                .chain(queries::resolve)
                .map(id -> ResolveProfileResponse.newBuilder().setProfileId(id).build());
    }

    @Override
    public Uni<GetProfileResponse> getProfile(GetProfileRequest request) {
        return Uni.createFrom().item(() -> profileId(request.getProfileId()))
                .chain(queries::byId)
                .map(p -> GetProfileResponse.newBuilder().setProfile(ProfileMapper.profile(p)).build());
    }

    @Override
    public Uni<ListTimelineResponse> listTimeline(ListTimelineRequest request) {
        return Uni.createFrom().item(() -> {
            profileId(request.getProfileId());
            if (request.getLimit() < 0 || request.getLimit() > 500) {
                throw RapportException.invalidField("limit", "must be between 1 and 500");
            }
            if (!request.getCursor().isEmpty() && TimelineCursor.decode(request.getCursor()) == null) {
                throw RapportException.invalidField("cursor", "is not a cursor of a timeline page");
            }
            for (Channel c : request.getChannelsList()) {
                if (c == Channel.CHANNEL_UNSPECIFIED || c == Channel.UNRECOGNIZED) {
                    throw RapportException.invalidField("channels", "holds an unknown channel");
                }
            }
            return request;
        }).chain(r -> queries.timeline(r.getProfileId(), r.getTypesList(),
                r.getChannelsList().stream().map(ProfileMapper::apiName).toList(),
                r.getCursor().isEmpty() ? null : TimelineCursor.decode(r.getCursor()),
                r.getLimit() == 0 ? 50 : r.getLimit()))
                .map(page -> {
                    ListTimelineResponse.Builder out = ListTimelineResponse.newBuilder();
                    page.events().forEach(e -> out.addEvents(ProfileMapper.stored(e)));
                    if (page.next() != null) {
                        out.setNextCursor(page.next().encode());
                    }
                    return out.build();
                });
    }

    @Override
    public Multi<StreamAudienceResponse> streamAudience(StreamAudienceRequest request) {
        return Uni.createFrom().item(() -> SegmentMapper.read(request.getSegment()))
                .onItem().transformToMulti(segment -> audiences.members(segment,
                        new LinkedHashSet<>(request.getTraitKeysList())))
                .map(m -> {
                    StreamAudienceResponse.Builder out = StreamAudienceResponse.newBuilder().setProfileId(m.profileId())
                            .setTraits(ProfileMapper.struct(m.traits()));
                    m.addresses().forEach(a -> out.addAddresses(ProfileMapper.identifier(a)));
                    return out.build();
                });
    }

    @Override
    public Uni<CountAudienceResponse> countAudience(CountAudienceRequest request) {
        return Uni.createFrom().item(() -> SegmentMapper.read(request.getSegment()))
                .chain(audiences::count)
                .map(n -> CountAudienceResponse.newBuilder().setCount(n).build());
    }

    private Identifier identifier(ResolveProfileRequest request) {
        if (!request.hasIdentifier() || request.getIdentifier().getKind() == IdentifierKind.IDENTIFIER_KIND_UNSPECIFIED
                || request.getIdentifier().getKind() == IdentifierKind.UNRECOGNIZED) {
            throw RapportException.invalidField("identifier.kind", "is required");
        }
        return switch (normalizer.normalize(ProfileMapper.kind(request.getIdentifier().getKind()),
                request.getIdentifier().getValue())) {
            case IdentifierNormalizer.Valid v -> v.identifier();
            case IdentifierNormalizer.Invalid inv -> throw RapportException.invalidField("identifier.value", inv.message());
        };
    }

    private static String profileId(String id) {
        if (id == null || id.isBlank() || id.length() > 128) {
            throw RapportException.invalidField("profile_id", "is required, at most 128 characters");
        }
        return id;
    }
}

package dev.rapport.campaign.segment;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import dev.rapport.campaign.client.ProfileClient;
import dev.rapport.campaign.repository.SegmentStore;
import dev.rapport.campaign.repository.SegmentStore.Stored;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.grpc.GrpcErrors;
import dev.rapport.proto.profile.v1.Segment;
import dev.rapport.proto.profile.v1.StreamAudienceResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Segments as marketers define them: a definition in profile-service's audience format, read here (a field the
 * format does not have is named), then checked by profile-service itself, which counts it: a segment is stored only
 * once profile-service could evaluate it, so a campaign never meets one it cannot. Nothing is stored when either
 * refuses it or profile-service cannot answer.
 */
@ApplicationScoped
public class Segments {

    /** The traits a preview shows of each person (no addresses: a preview is for seeing who, not for contacting). */
    static final List<String> PREVIEW_TRAITS = List.of("firstName", "lastName", "locale", "city");

    private final SegmentStore store;
    private final ProfileClient profiles;
    private final Clock clock;

    public Segments(SegmentStore store, ProfileClient profiles, Clock clock) {
        this.store = store;
        this.profiles = profiles;
        this.clock = clock;
    }

    /** A segment created, with the size profile-service found. */
    public record Created(Stored segment, long audience) {
    }

    /** What a segment holds now: how many, and the first of them. */
    public record Preview(long count, List<StreamAudienceResponse> sample) {
    }

    public Uni<Created> create(String name, String description, JsonObject definition, String by) {
        Segment segment = read(definition);
        return count(segment).chain(n -> store.insert(new Stored("seg-" + UUID.randomUUID(), name, description,
                definition, by, clock.instant())).map(s -> new Created(s, n)));
    }

    public Uni<Stored> find(String id) {
        return store.find(id).map(s -> {
            if (s == null) {
                throw RapportException.notFound("segment_not_found", "No segment has the id " + id + ".");
            }
            return s;
        });
    }

    public Uni<Preview> preview(String id, int sample) {
        return find(id).chain(s -> {
            Segment segment = read(s.definition());
            return count(segment).chain(n -> profiles.sample(segment, PREVIEW_TRAITS, sample)
                    .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "profile-service"))
                    .map(members -> new Preview(n, members)));
        });
    }

    /** The definition as the contract's {@code Segment}; a field or value the format does not have is a 400. */
    static Segment read(JsonObject definition) {
        Segment.Builder b = Segment.newBuilder();
        try {
            JsonFormat.parser().merge(definition.encode(), b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw RapportException.invalidField("definition", "is not a segment: " + e.getMessage());
        }
        return b.build();
    }

    private Uni<Long> count(Segment segment) {
        return profiles.count(segment).onFailure().transform(f -> {
            if (f instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                List<FieldError> errors = GrpcErrors.fieldErrorsOf(f).stream().map(e -> new FieldError(
                        e.field().replaceFirst("^segment", "definition"), e.message())).toList();
                return RapportException.invalid("definition: " + (errors.isEmpty() ? s.getStatus().getDescription()
                        : errors.get(0).field() + " " + errors.get(0).message()), errors.isEmpty()
                                ? List.of(new FieldError("definition", String.valueOf(s.getStatus().getDescription())))
                                : errors);
            }
            return Failures.unavailableIfUnreachable(f, "profile-service");
        });
    }
}

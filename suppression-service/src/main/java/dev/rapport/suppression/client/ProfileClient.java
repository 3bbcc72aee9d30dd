package dev.rapport.suppression.client;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.rapport.proto.profile.v1.GetProfileRequest;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.Profile;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.suppression.AddressKind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * profile-service as suppression-service asks it about a person its own state does not know yet: the stream has not
 * brought their first event here, though profile-service has it (a one-time code for someone who signed up a moment
 * ago). Answers the person's addresses and time zone; an unknown or erased person is empty. Bounded by a deadline and
 * a circuit breaker, so profile-service being slow or down costs little.
 */
@ApplicationScoped
public class ProfileClient {

    /** What profile-service knows of a person that a decision needs. */
    public record Person(String profileId, List<Address> addresses, ZoneId timezone) {
    }

    /** An address of the person. */
    public record Address(AddressKind kind, String value) {
    }

    private final ProfileService profiles;

    public ProfileClient(@GrpcClient("profile") ProfileService profiles) {
        this.profiles = profiles;
    }

    /** The person a profile id is now (the survivor of a merge), or empty when profile-service has none. */
    @AsynchronousNonBlocking
    @Timeout(value = 2, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public Uni<Optional<Person>> find(String profileId) {
        return profiles.getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
                .map(r -> Optional.of(person(r.getProfile())))
                .onFailure(ProfileClient::notFound).recoverWithItem(Optional.empty());
    }

    private static boolean notFound(Throwable f) {
        return f instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND;
    }

    static Person person(Profile p) {
        List<Address> addresses = new ArrayList<>();
        for (Identifier i : p.getIdentifiersList()) {
            String kind = i.getKind().name().replace("IDENTIFIER_KIND_", "").toLowerCase(Locale.ROOT);
            AddressKind.fromIdentifier(camel(kind)).ifPresent(k -> addresses.add(new Address(k, i.getValue())));
        }
        ZoneId zone = null;
        var tz = p.getTraits().getFieldsMap().get("timezone");
        if (tz != null && tz.hasStringValue()) {
            try {
                zone = ZoneId.of(tz.getStringValue().strip());
            } catch (DateTimeException e) {
                // a time zone the person gave that is none: the policy's default applies
            }
        }
        return new Person(p.getId(), addresses, zone);
    }

    /** {@code push_token} to {@code pushToken}: the identifier's API name. */
    private static String camel(String snake) {
        StringBuilder out = new StringBuilder(snake.length());
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                out.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return out.toString();
    }
}

package dev.rapport.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

class GrpcErrorsTest {

    @Test
    void mapsADomainFailureToItsStatusWithReasonAndFieldsInTrailers() {
        StatusException se = GrpcErrors.toStatusException(RapportException.invalid("events[0].id: is required",
                List.of(new FieldError("events[0].id", "is required"), new FieldError("events[1].type", "is required"))));
        assertThat(se.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(se.getStatus().getDescription()).isEqualTo("events[0].id: is required");
        assertThat(GrpcErrors.reasonOf(se)).isEqualTo("invalid_request");
        assertThat(se.getTrailers().getAll(GrpcErrors.FIELD_KEY))
                .containsExactly("events[0].id: is required", "events[1].type: is required");
    }

    @Test
    void usesTheSameTableAsRestForEveryKind() {
        for (ErrorKind kind : ErrorKind.values()) {
            StatusException se = GrpcErrors.toStatusException(new RapportException(kind, "r", "d"));
            assertThat(se.getStatus().getCode()).as(kind.name()).isEqualTo(kind.grpcCode());
            assertThat(GrpcErrors.reasonOf(se)).isEqualTo("r");
        }
    }

    @Test
    void mapsSecurityFailures() {
        assertThat(GrpcErrors.toStatusException(new UnauthorizedException()).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(GrpcErrors.toStatusException(new ForbiddenException()).getStatus().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void neverShowsTheClassOrMessageOfAnUnexpectedFailure() {
        StatusException se = GrpcErrors.toStatusException(new NullPointerException("secret internals"));
        assertThat(se.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(se.getStatus().getDescription()).doesNotContain("NullPointerException", "secret internals")
                .contains("logged with id");
        assertThat(GrpcErrors.reasonOf(se)).isEqualTo("internal_error");
    }

    @Test
    void keepsTrailersAsciiWhateverTheFieldMessageHolds() {
        StatusException se = GrpcErrors.toStatusException(RapportException.invalidField("traits.firstName", "слишком длинно"));
        assertThat(se.getTrailers().get(GrpcErrors.FIELD_KEY)).matches("[\\x20-\\x7e]+");
    }
}

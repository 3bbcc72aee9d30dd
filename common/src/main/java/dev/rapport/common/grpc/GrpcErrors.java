package dev.rapport.common.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Maps failures to gRPC statuses with the same table REST uses ({@link ErrorKind}); the machine-readable reason travels in
 * the {@value #REASON_KEY_NAME} trailer and invalid fields in {@value #FIELD_KEY_NAME} trailers ({@code field: message}).
 */
public final class GrpcErrors {

    /** Trailer carrying the reason string, the same one REST problem details carry. */
    public static final String REASON_KEY_NAME = "rapport-reason";
    /** Trailer carrying one invalid field per value, as {@code field: message}. */
    public static final String FIELD_KEY_NAME = "rapport-field-error";
    public static final Metadata.Key<String> REASON_KEY = Metadata.Key.of(REASON_KEY_NAME,
            Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> FIELD_KEY = Metadata.Key.of(FIELD_KEY_NAME, Metadata.ASCII_STRING_MARSHALLER);

    private GrpcErrors() {
    }

    /** The status exception to answer for {@code failure}; never exposes a class name or a stack trace. */
    public static StatusException toStatusException(Throwable failure) {
        if (failure instanceof StatusException se) {
            return se;
        }
        if (failure instanceof StatusRuntimeException sre) {
            return new StatusException(sre.getStatus(), sre.getTrailers());
        }
        if (failure instanceof RapportException re) {
            Metadata trailers = new Metadata();
            trailers.put(REASON_KEY, re.reason());
            for (FieldError error : re.errors()) {
                trailers.put(FIELD_KEY, ascii(error.field() + ": " + error.message()));
            }
            return new StatusException(Status.fromCode(re.kind().grpcCode()).withDescription(re.getMessage()), trailers);
        }
        if (failure instanceof UnauthorizedException || failure instanceof AuthenticationException) {
            return withReason(ErrorKind.UNAUTHENTICATED, "unauthenticated",
                    "A valid client-credentials token from the rapport realm is required.");
        }
        if (failure instanceof ForbiddenException || failure instanceof SecurityException) {
            return withReason(ErrorKind.FORBIDDEN, "missing_role", "The token does not carry the service role.");
        }
        if (failure instanceof IllegalArgumentException) {
            return withReason(ErrorKind.INVALID, "invalid_request", failure.getMessage());
        }
        String id = UUID.randomUUID().toString();
        Log.errorf(failure, "Unexpected gRPC failure %s", id);
        return withReason(ErrorKind.INTERNAL, "internal_error",
                "An unexpected error occurred; it was logged with id " + id + ".");
    }

    /**
     * The fields another service named in its {@code INVALID_ARGUMENT} answer (its {@code rapport-field-error}
     * trailers), each as {@code field: message}; empty for any other failure.
     */
    public static List<FieldError> fieldErrorsOf(Throwable failure) {
        Metadata trailers = Status.trailersFromThrowable(failure);
        if (trailers == null) {
            return List.of();
        }
        List<FieldError> out = new ArrayList<>();
        Iterable<String> values = trailers.getAll(FIELD_KEY);
        if (values != null) {
            for (String v : values) {
                int colon = v.indexOf(": ");
                out.add(colon < 0 ? new FieldError("", v) : new FieldError(v.substring(0, colon),
                        v.substring(colon + 2)));
            }
        }
        return out;
    }

    /** The reason trailer of a failed call, or null. */
    public static String reasonOf(Throwable failure) {
        Metadata trailers = Status.trailersFromThrowable(failure);
        return trailers == null ? null : trailers.get(REASON_KEY);
    }

    private static StatusException withReason(ErrorKind kind, String reason, String description) {
        Metadata trailers = new Metadata();
        trailers.put(REASON_KEY, reason);
        return new StatusException(Status.fromCode(kind.grpcCode()).withDescription(LogSanitizer.sanitize(description)),
                trailers);
    }

    /** ASCII metadata values cannot carry other characters; they are replaced so the trailer is always valid. */
    private static String ascii(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}

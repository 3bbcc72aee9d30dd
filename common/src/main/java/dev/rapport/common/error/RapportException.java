package dev.rapport.common.error;

import java.util.List;
import java.util.Objects;

/**
 * A failure the caller should hear about: it carries its {@link ErrorKind}, a machine-readable reason and, for invalid
 * input, the fields at fault. REST turns it into problem details, gRPC into a status; neither shows a stack trace.
 */
public class RapportException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final String reason;
    private final transient List<FieldError> errors;

    public RapportException(ErrorKind kind, String reason, String detail, List<FieldError> errors) {
        super(detail);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.reason = reason == null ? kind.defaultReason() : reason;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public RapportException(ErrorKind kind, String reason, String detail) {
        this(kind, reason, detail, List.of());
    }

    /** Invalid input, naming the fields at fault. */
    public static RapportException invalid(String detail, List<FieldError> errors) {
        return new RapportException(ErrorKind.INVALID, "invalid_request", detail, errors);
    }

    /** Invalid input in one field. */
    public static RapportException invalidField(String field, String message) {
        return invalid(field + ": " + message, List.of(new FieldError(field, message)));
    }

    /** The named resource does not exist. */
    public static RapportException notFound(String reason, String detail) {
        return new RapportException(ErrorKind.NOT_FOUND, reason, detail);
    }

    /** A dependency is down. */
    public static RapportException unavailable(String reason, String detail) {
        return new RapportException(ErrorKind.UNAVAILABLE, reason, detail);
    }

    public ErrorKind kind() {
        return kind;
    }

    public String reason() {
        return reason;
    }

    public List<FieldError> errors() {
        return errors;
    }
}

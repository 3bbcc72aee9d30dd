package dev.rapport.common.error;

import io.grpc.Status;

/**
 * The suite's one table from a kind of failure to its HTTP status and its gRPC status.
 * REST answers carry the HTTP side as RFC 9457 problem details, gRPC answers the gRPC side; both carry the same
 * {@code reason} string.
 */
public enum ErrorKind {
    /** A field of the request is missing or malformed. */
    INVALID(400, Status.Code.INVALID_ARGUMENT, "Invalid request"),
    /** No valid bearer token. */
    UNAUTHENTICATED(401, Status.Code.UNAUTHENTICATED, "Authentication required"),
    /** The token lacks the role the operation needs. */
    FORBIDDEN(403, Status.Code.PERMISSION_DENIED, "Forbidden"),
    /** The named resource does not exist. */
    NOT_FOUND(404, Status.Code.NOT_FOUND, "Not found"),
    /** The HTTP method is not supported on the path. */
    METHOD_NOT_ALLOWED(405, Status.Code.UNIMPLEMENTED, "Method not allowed"),
    /** The answer cannot be given in an acceptable media type. */
    NOT_ACCEPTABLE(406, Status.Code.INVALID_ARGUMENT, "Not acceptable"),
    /** The request conflicts with the current state. */
    CONFLICT(409, Status.Code.FAILED_PRECONDITION, "Conflict"),
    /** The body is larger than the endpoint accepts. */
    TOO_LARGE(413, Status.Code.RESOURCE_EXHAUSTED, "Request too large"),
    /** The body is not in a media type the endpoint accepts. */
    UNSUPPORTED_MEDIA_TYPE(415, Status.Code.INVALID_ARGUMENT, "Unsupported media type"),
    /** Well-formed, but refused by the rules of a channel or of suppression. */
    UNPROCESSABLE(422, Status.Code.FAILED_PRECONDITION, "Unprocessable request"),
    /** Too many requests; retry later. */
    RATE_LIMITED(429, Status.Code.RESOURCE_EXHAUSTED, "Too many requests"),
    /** An unexpected failure; details are in the log under the problem's instance id. */
    INTERNAL(500, Status.Code.INTERNAL, "Internal error"),
    /** A dependency (database, Redis, another service) is down. */
    UNAVAILABLE(503, Status.Code.UNAVAILABLE, "Service unavailable");

    private final int httpStatus;
    private final Status.Code grpcCode;
    private final String title;

    ErrorKind(int httpStatus, Status.Code grpcCode, String title) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
        this.title = title;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Status.Code grpcCode() {
        return grpcCode;
    }

    public String title() {
        return title;
    }

    /** The default reason string of this kind, such as {@code not_found}. */
    public String defaultReason() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The kind whose HTTP status is {@code status}, {@link #INTERNAL} for 5xx statuses not in the table. */
    public static ErrorKind ofHttpStatus(int status) {
        for (ErrorKind kind : values()) {
            if (kind.httpStatus == status) {
                return kind;
            }
        }
        return status >= 500 ? INTERNAL : INVALID;
    }
}

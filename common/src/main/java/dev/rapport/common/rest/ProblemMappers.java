package dev.rapport.common.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every failure of a REST call into RFC 9457 problem details. Nothing else answers errors, so no class name or
 * stack trace reaches a caller.
 */
public class ProblemMappers {

    static final String BEARER_CHALLENGE = "Bearer realm=\"rapport\"";

    @ServerExceptionMapper
    public Response rapport(RapportException e, UriInfo uri) {
        if (e.kind() == ErrorKind.INTERNAL || e.kind() == ErrorKind.UNAVAILABLE) {
            Log.warnf("%s %s: %s (%s)", e.kind().httpStatus(), LogSanitizer.sanitize(uri.getPath()), e.reason(),
                    LogSanitizer.sanitize(e.getMessage()));
        }
        return answer(Problem.of(e.kind(), e.reason(), e.getMessage(), uri.getPath(), e.errors()));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return challenge(uri, "A valid bearer token from the rapport realm is required.");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return challenge(uri, "The bearer token is missing, malformed, expired or not issued by the rapport realm.");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return answer(Problem.of(ErrorKind.FORBIDDEN, "missing_role",
                "The token does not carry a role this operation needs.", uri.getPath(), List.of()));
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new FieldError(fieldOf(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort(java.util.Comparator.comparing(FieldError::field));
        return answer(Problem.of(ErrorKind.INVALID, "invalid_request", summary(errors), uri.getPath(), errors));
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e, UriInfo uri) {
        String field = pathOf(e);
        String message;
        if (e instanceof InvalidFormatException ife) {
            message = "cannot read " + describe(ife.getValue()) + " as " + typeName(ife.getTargetType());
        } else if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            message = "expected " + typeName(mie.getTargetType());
        } else {
            message = "invalid value";
        }
        List<FieldError> errors = List.of(new FieldError(field.isEmpty() ? "body" : field, message));
        return answer(Problem.of(ErrorKind.INVALID, "invalid_request", summary(errors), uri.getPath(), errors));
    }

    /** Quarkus REST has a built-in mapper for these (without problem details); ours, more specific, wins. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return jsonMapping(e, uri);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e, UriInfo uri) {
        return jsonMapping(e, uri);
    }

    @ServerExceptionMapper
    public Response jsonParse(JsonParseException e, UriInfo uri) {
        return malformed(e, uri);
    }

    @ServerExceptionMapper
    public Response jsonProcessing(JsonProcessingException e, UriInfo uri) {
        return malformed(e, uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        ErrorKind kind = ErrorKind.ofHttpStatus(status);
        if (status == 401) {
            return challenge(uri, "A valid bearer token from the rapport realm is required.");
        }
        if (e.getCause() instanceof JsonProcessingException jpe) {
            return jpe instanceof JsonMappingException jme ? jsonMapping(jme, uri) : malformed(jpe, uri);
        }
        String detail = switch (status) {
            case 404 -> "No resource at " + uri.getPath() + ".";
            case 405 -> "This method is not supported on " + uri.getPath() + ".";
            case 406 -> "This resource answers application/json only.";
            case 415 -> "Send the body as application/json.";
            case 413 -> "The body is larger than this endpoint accepts.";
            default -> kind.title() + ".";
        };
        if (status >= 500) {
            return internal(e, uri);
        }
        Response.ResponseBuilder builder = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("urn:rapport:problem:" + reasonOf(kind, status), kind.title(), status, detail,
                        uri.getPath(), reasonOf(kind, status), List.of()));
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (allow != null) {
            builder.header(HttpHeaders.ALLOW, allow);
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response internal(Throwable e, UriInfo uri) {
        String id = UUID.randomUUID().toString();
        Log.errorf(e, "Unexpected failure %s on %s", id, LogSanitizer.sanitize(uri.getPath()));
        return answer(Problem.of(ErrorKind.INTERNAL, "internal_error",
                "An unexpected error occurred; it was logged with id " + id + ".", uri.getPath(), List.of()));
    }

    static Response answer(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    private static Response challenge(UriInfo uri, String detail) {
        return Response.status(401).type(Problem.MEDIA_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, BEARER_CHALLENGE)
                .entity(Problem.of(ErrorKind.UNAUTHENTICATED, "unauthenticated", detail, uri.getPath(), List.of()))
                .build();
    }

    private static Response malformed(JsonProcessingException e, UriInfo uri) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        List<FieldError> errors = List.of(new FieldError("body", "malformed JSON" + where));
        return answer(Problem.of(ErrorKind.INVALID, "malformed_json", "The body is not valid JSON" + where + ".",
                uri.getPath(), errors));
    }

    private static String reasonOf(ErrorKind kind, int status) {
        return kind.httpStatus() == status ? kind.defaultReason() : "http_" + status;
    }

    private static String summary(List<FieldError> errors) {
        if (errors.isEmpty()) {
            return "The request is invalid.";
        }
        FieldError first = errors.get(0);
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "";
        return first.field() + ": " + first.message() + more;
    }

    /** The JSON path of a mapping failure, such as {@code events[2].occurredAt}. */
    static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * The field a violation is about: the property path inside a body ({@code events[0].id}), or the name of a query or
     * path parameter ({@code limit}); never the resource method's name.
     */
    static String fieldOf(Path path) {
        StringBuilder field = new StringBuilder();
        String parameter = null;
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> {
                }
                case PARAMETER -> parameter = node.getName();
                default -> {
                    if (node.getIndex() != null) {
                        field.append('[').append(node.getIndex()).append(']');
                    } else if (node.getKey() != null) {
                        field.append('[').append(node.getKey()).append(']');
                    }
                    if (node.getName() != null && !node.getName().startsWith("<")) {
                        if (!field.isEmpty()) {
                            field.append('.');
                        }
                        field.append(node.getName());
                    }
                }
            }
        }
        if (!field.isEmpty()) {
            return field.toString();
        }
        return parameter == null ? "body" : parameter;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String s = String.valueOf(value);
        return '"' + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + '"';
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 time with offset";
        }
        if (type.isEnum()) {
            StringBuilder values = new StringBuilder("one of ");
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                values.append(i == 0 ? "" : ", ").append(constants[i].toString().toLowerCase(java.util.Locale.ROOT));
            }
            return values.toString();
        }
        return "an object";
    }
}

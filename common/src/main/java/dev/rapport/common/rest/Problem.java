package dev.rapport.common.rest;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;

/**
 * An RFC 9457 problem-details answer, served as {@code application/problem+json}.
 *
 * @param type URI naming the kind of problem, {@code urn:rapport:problem:<reason>}
 * @param title short summary of the kind of problem
 * @param status HTTP status
 * @param detail what went wrong with this request
 * @param instance the request path
 * @param reason machine-readable reason; gRPC answers carry the same string
 * @param errors the fields at fault, empty when no field is
 */
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record Problem(String type, String title, int status, String detail, String instance, String reason,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(ErrorKind kind, String reason, String detail, String instance, List<FieldError> errors) {
        String r = reason == null ? kind.defaultReason() : reason;
        return new Problem("urn:rapport:problem:" + r, kind.title(), kind.httpStatus(), detail, instance, r,
                errors == null ? List.of() : errors);
    }
}

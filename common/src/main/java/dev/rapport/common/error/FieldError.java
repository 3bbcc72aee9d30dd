package dev.rapport.common.error;

/**
 * One invalid field of a request.
 *
 * @param field path of the field, such as {@code events[3].identifiers.email}
 * @param message what is wrong with it
 */
public record FieldError(String field, String message) {
}

package dev.rapport.suppression.rest;

import java.util.ArrayList;
import java.util.List;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.suppression.ContactRequests;

/** Checks of path and query parameters shared by the resources. */
final class Paths {

    /** Default and largest page. */
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private Paths() {
    }

    static String profileId(String id) {
        List<FieldError> errors = new ArrayList<>();
        String checked = ContactRequests.id(id, "id", true, errors);
        if (!errors.isEmpty()) {
            throw RapportException.invalid("id: " + errors.get(0).message(), errors);
        }
        return checked;
    }

    static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int size = Integer.parseInt(limit.strip());
            if (size >= 1 && size <= MAX_LIMIT) {
                return size;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw RapportException.invalidField("limit", "must be a whole number between 1 and " + MAX_LIMIT);
    }

    /** A page cursor of the audit: the id of the last entry seen. */
    static Long cursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(cursor.strip());
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw RapportException.invalidField("cursor", "is not a cursor of a page of decisions");
    }
}

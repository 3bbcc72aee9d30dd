package dev.rapport.suppression.rest;

import java.util.ArrayList;
import java.util.List;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.suppression.ContactRequests;

/** Checks of path and query parameters shared by the resources. */
final class Paths {

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

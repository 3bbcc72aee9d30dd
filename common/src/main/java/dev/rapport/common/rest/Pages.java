package dev.rapport.common.rest;

import dev.rapport.common.error.RapportException;

/** The page size every list takes: {@code limit} from 1 to 500, 50 when absent. */
public final class Pages {

    /** The page size when a list is asked without {@code limit}. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page a list answers. */
    public static final int MAX_LIMIT = 500;

    private Pages() {
    }

    /** The {@code limit} query parameter as a page size; anything but a whole number from 1 to 500 is a 400. */
    public static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.strip());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw RapportException.invalidField("limit", "must be a whole number from 1 to " + MAX_LIMIT);
    }
}

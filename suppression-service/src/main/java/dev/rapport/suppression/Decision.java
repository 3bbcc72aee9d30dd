package dev.rapport.suppression;

import java.util.Locale;

/** The answer to a contact request. */
public enum Decision {
    /** The contact may go now. */
    ALLOW,
    /** The contact must not go. */
    DENY,
    /** The contact may go at the verdict's {@code retryAt}. */
    DEFER;

    /** The name on the wire: {@code allow}, {@code deny}, {@code defer}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

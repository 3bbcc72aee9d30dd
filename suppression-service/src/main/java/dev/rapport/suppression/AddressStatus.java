package dev.rapport.suppression;

import java.util.Locale;

/** Whether an address still works. */
public enum AddressStatus {
    /** Usable. */
    OK,
    /** The mailbox or number hard-bounced. */
    BOUNCED,
    /** The push token is no longer registered. */
    UNREGISTERED,
    /** The person blocked the messenger bot. */
    BLOCKED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AddressStatus fromDb(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}

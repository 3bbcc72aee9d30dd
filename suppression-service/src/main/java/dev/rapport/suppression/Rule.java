package dev.rapport.suppression;

import java.util.Locale;

/** The suppression rules of docs/architecture.md, by the names docs/api.md gives them. */
public enum Rule {
    /** No usable address on the channel: none known, a hard bounce, an unregistered push token, a blocked bot. */
    UNREACHABLE,
    /** Marketing on a channel the person never consented to. */
    NO_CONSENT,
    /** The person opted out of the channel, the topic or everything. */
    OPTED_OUT,
    /** The person has an open service ticket, or one resolved within the grace period. */
    OPEN_TICKET,
    /** The person ordered the product (pending orders included). */
    PURCHASED,
    /** The person declined the product or category. */
    DECLINED,
    /** A contact-pressure cap is reached. */
    FREQUENCY_CAP,
    /** It is night in the person's time zone. */
    QUIET_HOURS,
    /** The profile was erased. */
    ERASED,
    /** The person is on the do-not-contact list. */
    DO_NOT_CONTACT,
    /** The state needed to decide could not be read. */
    UNAVAILABLE;

    /** The name on the wire: {@code open_ticket}, ... */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

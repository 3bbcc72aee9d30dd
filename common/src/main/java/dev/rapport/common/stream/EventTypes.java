package dev.rapport.common.stream;

import java.util.Set;

/**
 * The event vocabulary every service speaks (docs/events.md), and the properties of the two events only Rapport itself
 * records. Other types are accepted and stored as they come.
 */
public final class EventTypes {

    public static final String PAGE_VIEWED = "page_viewed";
    public static final String PRODUCT_VIEWED = "product_viewed";
    public static final String CART_UPDATED = "cart_updated";
    public static final String CHECKOUT_STARTED = "checkout_started";
    public static final String ORDER_PLACED = "order_placed";
    public static final String ORDER_STATUS_CHANGED = "order_status_changed";
    public static final String SIGNED_UP = "signed_up";
    public static final String LOGGED_IN = "logged_in";
    public static final String OFFER_DECLINED = "offer_declined";
    public static final String OFFER_ACCEPTED = "offer_accepted";
    public static final String TICKET_OPENED = "ticket_opened";
    public static final String TICKET_UPDATED = "ticket_updated";
    public static final String TICKET_RESOLVED = "ticket_resolved";
    public static final String MESSAGE_SENT = "message_sent";
    public static final String MESSAGE_DELIVERED = "message_delivered";
    public static final String MESSAGE_OPENED = "message_opened";
    public static final String MESSAGE_CLICKED = "message_clicked";
    public static final String MESSAGE_BOUNCED = "message_bounced";
    public static final String MESSAGE_FAILED = "message_failed";
    public static final String SUBSCRIBED = "subscribed";
    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String INBOUND_MESSAGE = "inbound_message";
    public static final String CALL_STARTED = "call_started";
    public static final String CALL_ENDED = "call_ended";
    public static final String CSAT_SUBMITTED = "csat_submitted";
    public static final String REVIEW_LEFT = "review_left";

    /** Two profiles became one: properties {@link #SURVIVOR_ID} and {@link #MERGED_ID}; subject is the survivor. */
    public static final String PROFILE_MERGED = "profile_merged";
    /** A person was erased: properties {@link #ERASED_PROFILE_ID} and {@link #ERASED_MERGED_IDS}. */
    public static final String PROFILE_ERASED = "profile_erased";

    /** {@code profile_merged}: the profile that lives on. */
    public static final String SURVIVOR_ID = "survivorId";
    /** {@code profile_merged}: the profile merged into the survivor; its id now finds the survivor. */
    public static final String MERGED_ID = "mergedId";
    /** {@code profile_erased}: the erased profile. */
    public static final String ERASED_PROFILE_ID = "profileId";
    /** {@code profile_erased}: every profile that had been merged into it, erased with it. */
    public static final String ERASED_MERGED_IDS = "mergedIds";

    /** Types only Rapport records; integrators cannot post them. */
    public static final Set<String> SYSTEM = Set.of(PROFILE_MERGED, PROFILE_ERASED);

    /**
     * Event ids starting with this belong to Rapport's own events ({@code rapport:merged:<id>},
     * {@code rapport:erased:<id>}); integrators cannot post such ids, so nobody can take the id of an erasure.
     */
    public static final String SYSTEM_ID_PREFIX = "rapport:";

    /** Words that, as the whole text of an inbound SMS, opt the sender out of SMS (an {@code unsubscribed}). */
    public static final Set<String> SMS_STOP = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
            "СТОП", "ОТПИСАТЬСЯ", "ОТПИСКА");
    /** Words that, as the whole text of an inbound SMS, opt the sender back in. */
    public static final Set<String> SMS_START = Set.of("START", "UNSTOP", "СТАРТ");

    private EventTypes() {
    }

    /** The keyword an inbound SMS is, when its whole text is one ({@code STOP}, {@code СТОП}), upper-cased. */
    public static String smsKeyword(String text) {
        return text == null ? "" : text.strip().toUpperCase(java.util.Locale.ROOT);
    }

    /** The id of the {@code profile_merged} event of a merged profile. */
    public static String mergedEventId(String mergedId) {
        return SYSTEM_ID_PREFIX + "merged:" + mergedId;
    }

    /** The id of the {@code profile_erased} event of an erased profile. */
    public static String erasedEventId(String profileId) {
        return SYSTEM_ID_PREFIX + "erased:" + profileId;
    }
}

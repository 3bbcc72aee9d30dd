package dev.rapport.desk;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.rapport.common.stream.EventTypes;

/**
 * What a call-centre agent sees of a customer, built from the profile, its latest events and the open tickets: recent
 * marketing (sent, delivered, opened, clicked, bounced, failed, held), key marketing and service events on one
 * timeline with the channel of each, what not to offer and why, and the likely reasons for the call. The next best
 * action is campaign-service's and stays empty until it offers one.
 */
public record AgentContext(List<Happening> recentMarketing, List<Happening> timeline, List<DoNotOffer> doNotOffer,
        List<LikelyReasons.Reason> likelyReasons) {

    /**
     * Something not to offer ({@code *}: nothing at all), and why.
     *
     * @param rule {@code open_ticket}, {@code pending_order}, {@code purchased} or {@code declined}
     * @param why the rule in words, naming the ticket where there is one
     */
    public record DoNotOffer(String product, String rule, String why) {
    }

    /** Event types of the agent's timeline: marketing and service, not every page view. */
    static final Set<String> KEY = Set.of(EventTypes.ORDER_PLACED, EventTypes.ORDER_STATUS_CHANGED,
            EventTypes.CART_UPDATED, EventTypes.SIGNED_UP, EventTypes.OFFER_DECLINED, EventTypes.OFFER_ACCEPTED,
            EventTypes.TICKET_OPENED, EventTypes.TICKET_UPDATED, EventTypes.TICKET_RESOLVED, EventTypes.MESSAGE_SENT,
            EventTypes.MESSAGE_DELIVERED, EventTypes.MESSAGE_OPENED, EventTypes.MESSAGE_CLICKED,
            EventTypes.MESSAGE_BOUNCED, EventTypes.MESSAGE_FAILED, EventTypes.SUBSCRIBED, EventTypes.UNSUBSCRIBED,
            EventTypes.INBOUND_MESSAGE, EventTypes.CALL_STARTED, EventTypes.CALL_ENDED, EventTypes.CSAT_SUBMITTED,
            EventTypes.REVIEW_LEFT, EventTypes.PRODUCT_VIEWED, "callback_requested", "message_held",
            "message_suppressed");

    /** Most entries of the recent marketing and of the timeline. */
    static final int MOST = 50;

    /**
     * Builds the context.
     *
     * @param recent the latest events, newest first
     * @param purchases products ordered (pending included), from the profile's summary
     * @param pendingOrders products of orders not yet completed
     * @param declined products and categories declined, most recent first
     * @param words the language of the likely reasons
     */
    public static AgentContext of(List<Happening> recent, List<Ticket> openTickets, List<String> purchases,
            List<String> pendingOrders, List<String> declined, Instant now, ZoneId zone, LikelyReasons.Words words) {
        List<Happening> marketing = new ArrayList<>();
        List<Happening> timeline = new ArrayList<>();
        for (Happening h : recent) {
            if (h.type().startsWith("message_") && marketing.size() < MOST) {
                marketing.add(h);
            }
            if (KEY.contains(h.type()) && timeline.size() < MOST) {
                timeline.add(h);
            }
        }
        Map<String, DoNotOffer> not = new LinkedHashMap<>();
        if (!openTickets.isEmpty()) {
            not.put("*", new DoNotOffer("*", "open_ticket", "no promotion at all while ticket "
                    + openTickets.get(0).id() + " is open"));
        }
        Set<String> pending = new LinkedHashSet<>(pendingOrders);
        for (String p : purchases) {
            not.putIfAbsent(p, pending.contains(p) ? new DoNotOffer(p, "pending_order", "ordered, the order is still "
                    + "pending") : new DoNotOffer(p, "purchased", "already bought"));
        }
        for (String d : declined) {
            not.putIfAbsent(d, new DoNotOffer(d, "declined", "declined recently"));
        }
        List<DoNotOffer> doNot = new ArrayList<>(not.values());
        return new AgentContext(marketing, timeline, doNot, LikelyReasons.of(recent, openTickets, now, zone,
                words));
    }
}

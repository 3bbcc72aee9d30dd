package dev.rapport.suppression;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.stream.StreamEvent;
import dev.rapport.common.vocabulary.Channel;

/**
 * What a run of events changes in the state decisions read, gathered per row key so each row is written once: for
 * every fact the latest by the events' own times wins, so the same events in any order, or twice, give the same rows.
 * Merges and erasures are not facts: they are applied on their own.
 */
public final class StateChanges {

    private static final Set<String> UNREGISTERED = Set.of("unregistered", "notregistered", "invalid_token",
            "invalidregistration", "token_unregistered");
    private static final Set<String> BLOCKED = Set.of("blocked", "bot_blocked", "blocked_by_user", "forbidden",
            "user_blocked");
    private static final Set<String> TICKET_CLOSED = Set.of("solved", "resolved", "closed");
    private static final Set<String> TICKET_OPEN = Set.of("new", "open", "pending", "hold", "on_hold", "reopened");

    /** A person seen: their first event, and the latest time zone they gave. */
    public record SubjectFact(String profileId, Instant firstSeen, String timezone, Instant timezoneAt) {
    }

    /** An address seen on an event. */
    public record AddressSeen(String profileId, AddressKind kind, String value, Instant seenAt) {
    }

    /** An address's status as of {@code at}; {@code value} null means every address of the kind. */
    public record AddressStatusFact(String profileId, AddressKind kind, String value, AddressStatus status, Instant at,
            String eventId) {
    }

    /** An order's facts: when it was placed and with what, its latest status, its cancellation. */
    public record PurchaseFact(String profileId, String orderId, List<String> productIds, List<String> categories,
            Instant placedAt, String placedEventId, String status, Instant statusAt, Instant cancelledAt,
            String cancelledEventId) {
    }

    /** A product or category declined and/or accepted. */
    public record DeclineFact(String profileId, String kind, String value, Instant declinedAt, String declinedEventId,
            Instant acceptedAt, String acceptedEventId) {
    }

    /** A ticket's latest opening and latest resolution. */
    public record TicketFact(String profileId, String ticketId, Instant openedAt, String openedEventId,
            Instant resolvedAt, String resolvedEventId) {
    }

    /** A consent statement; {@code channel} {@code all} for every channel, {@code topic} empty for every topic. */
    public record ConsentFact(String profileId, String channel, String topic, ConsentStatus status, String source,
            Instant at, String eventId) {
    }

    private final Map<String, SubjectFact> subjects = new TreeMap<>();
    private final Map<String, AddressSeen> addresses = new TreeMap<>();
    private final Map<String, AddressStatusFact> statuses = new TreeMap<>();
    private final Map<String, PurchaseFact> purchases = new TreeMap<>();
    private final Map<String, DeclineFact> declines = new TreeMap<>();
    private final Map<String, TicketFact> tickets = new TreeMap<>();
    private final Map<String, ConsentFact> consents = new TreeMap<>();
    private final List<ConsentFact> consentHistory = new ArrayList<>();

    /** Adds what one event says. */
    public void add(StreamEvent e) {
        String p = e.profileId();
        Instant at = e.occurredAt();
        subject(p, at, timezone(e.traits()));
        e.identifiers().forEach((kind, value) -> AddressKind.fromIdentifier(kind)
                .ifPresent(k -> addresses.merge(key(p, k.identifier(), value), new AddressSeen(p, k, value, at),
                        (a, b) -> a.seenAt().isBefore(b.seenAt()) ? a : b)));
        Channel channel = e.channel() == null ? null : Channel.fromApiName(e.channel()).orElse(null);
        JsonNode props = e.properties();
        switch (e.type()) {
            case EventTypes.MESSAGE_BOUNCED -> {
                if ("hard".equalsIgnoreCase(e.property("bounce")) && channel != null) {
                    status(e, channel, AddressStatus.BOUNCED);
                }
            }
            case EventTypes.MESSAGE_FAILED -> {
                String why = normal(firstOf(e, "reason", "error", "errorCode", "code"));
                if (channel == Channel.PUSH && UNREGISTERED.contains(why)) {
                    status(e, channel, AddressStatus.UNREGISTERED);
                } else if (channel == Channel.MESSENGER && BLOCKED.contains(why)) {
                    status(e, channel, AddressStatus.BLOCKED);
                }
            }
            case EventTypes.MESSAGE_DELIVERED -> {
                if (channel != null) {
                    statusOfNamed(e, channel, AddressStatus.OK);
                }
            }
            case EventTypes.INBOUND_MESSAGE -> {
                if (channel != null) {
                    statusOfNamed(e, channel, AddressStatus.OK);
                }
                String word = EventTypes.smsKeyword(e.property("text"));
                if (channel == Channel.SMS && EventTypes.SMS_STOP.contains(word)) {
                    consent(e, "sms", "", ConsentStatus.OPTED_OUT, "sms_stop (" + word + ")");
                } else if (channel == Channel.SMS && EventTypes.SMS_START.contains(word)) {
                    consent(e, "sms", "", ConsentStatus.OPTED_IN, "sms_start (" + word + ")");
                }
            }
            case EventTypes.SUBSCRIBED, EventTypes.UNSUBSCRIBED -> {
                // without a channel property, an opt-out made on a channel that delivers nothing (a preference page
                // on the web site or in the app, a shop counter) is about every channel; an opt-in made there is about
                // no channel that delivers, so it gives no consent to be contacted by SMS, push or calls
                boolean optOut = e.type().equals(EventTypes.UNSUBSCRIBED);
                String target = e.property("channel") != null ? e.property("channel")
                        : channel != null && SuppressionRules.ADDRESSABLE.contains(channel) ? channel.apiName()
                        : optOut ? SuppressionRules.ALL_CHANNELS
                        : e.channel() != null ? e.channel() : SuppressionRules.ALL_CHANNELS;
                if (!target.equals(SuppressionRules.ALL_CHANNELS) && Channel.fromApiName(target).isEmpty()) {
                    return; // a channel Rapport does not know: nothing to suppress
                }
                String topic = e.property("topic") == null ? "" : e.property("topic");
                String source = e.property("source") != null ? e.property("source")
                        : e.type() + " event" + (e.channel() == null ? "" : " on " + e.channel());
                consent(e, target, topic, e.type().equals(EventTypes.SUBSCRIBED) ? ConsentStatus.OPTED_IN
                        : ConsentStatus.OPTED_OUT, source);
                if (e.type().equals(EventTypes.SUBSCRIBED) && channel != null) {
                    statusOfNamed(e, channel, AddressStatus.OK);
                }
            }
            case EventTypes.ORDER_PLACED -> {
                String order = e.property("orderId") != null ? e.property("orderId") : e.id();
                purchase(new PurchaseFact(p, order, values(props, "productId", "productIds"),
                        values(props, "category", "categories"), at, e.id(), null, null, null, null));
            }
            case EventTypes.ORDER_STATUS_CHANGED -> {
                String order = e.property("orderId");
                String status = normal(e.property("status"));
                if (order != null && !status.isEmpty()) {
                    boolean cancelled = status.equals("cancelled") || status.equals("canceled");
                    purchase(new PurchaseFact(p, order, List.of(), List.of(), null, null, status, at,
                            cancelled ? at : null, cancelled ? e.id() : null));
                }
            }
            case EventTypes.OFFER_DECLINED, EventTypes.OFFER_ACCEPTED -> {
                boolean declined = e.type().equals(EventTypes.OFFER_DECLINED);
                for (String product : values(props, "productId", "productIds")) {
                    decline(new DeclineFact(p, "product", product, declined ? at : null, declined ? e.id() : null,
                            declined ? null : at, declined ? null : e.id()));
                }
                for (String category : values(props, "category", "categories")) {
                    decline(new DeclineFact(p, "category", category, declined ? at : null, declined ? e.id() : null,
                            declined ? null : at, declined ? null : e.id()));
                }
            }
            case EventTypes.TICKET_OPENED, EventTypes.TICKET_UPDATED, EventTypes.TICKET_RESOLVED -> {
                String ticket = e.property("ticketId");
                if (ticket == null) {
                    return;
                }
                String status = normal(e.property("status"));
                boolean resolved = e.type().equals(EventTypes.TICKET_RESOLVED)
                        || e.type().equals(EventTypes.TICKET_UPDATED) && TICKET_CLOSED.contains(status);
                boolean opened = e.type().equals(EventTypes.TICKET_OPENED)
                        || e.type().equals(EventTypes.TICKET_UPDATED) && TICKET_OPEN.contains(status);
                if (resolved) {
                    ticket(new TicketFact(p, ticket, null, null, at, e.id()));
                } else if (opened) {
                    ticket(new TicketFact(p, ticket, at, e.id(), null, null));
                }
            }
            default -> {
                // other types only make the person known and their addresses
            }
        }
    }

    /** Adds a consent statement that did not come as an event (the consents API), with its own evidence id. */
    public void consent(String profileId, String channel, String topic, ConsentStatus status, String source,
            Instant at, String evidenceId) {
        ConsentFact fact = new ConsentFact(profileId, channel, topic, status, source, at, evidenceId);
        consents.merge(key(profileId, channel, topic), fact, StateChanges::laterConsent);
        consentHistory.add(fact);
    }

    public boolean isEmpty() {
        return subjects.isEmpty() && consents.isEmpty();
    }

    public Collection<SubjectFact> subjects() {
        return subjects.values();
    }

    public Collection<AddressSeen> addresses() {
        return addresses.values();
    }

    public Collection<AddressStatusFact> addressStatuses() {
        return statuses.values();
    }

    public Collection<PurchaseFact> purchases() {
        return purchases.values();
    }

    public Collection<DeclineFact> declines() {
        return declines.values();
    }

    public Collection<TicketFact> tickets() {
        return tickets.values();
    }

    public Collection<ConsentFact> consents() {
        return consents.values();
    }

    /** Every consent statement, for the evidence kept; duplicates are dropped by their event id when stored. */
    public List<ConsentFact> consentHistory() {
        return consentHistory;
    }

    // ----------------------------------------------------------------------------------------------- helpers ---

    private void subject(String p, Instant at, String timezone) {
        subjects.merge(p, new SubjectFact(p, at, timezone, timezone == null ? null : at), (a, b) -> {
            Instant first = a.firstSeen().isBefore(b.firstSeen()) ? a.firstSeen() : b.firstSeen();
            boolean bNewer = b.timezoneAt() != null && (a.timezoneAt() == null || b.timezoneAt().isAfter(a.timezoneAt()));
            return bNewer ? new SubjectFact(p, first, b.timezone(), b.timezoneAt())
                    : new SubjectFact(p, first, a.timezone(), a.timezoneAt());
        });
    }

    private static String timezone(JsonNode traits) {
        String zone = StreamEvent.text(traits, "timezone", null);
        if (zone == null) {
            return null;
        }
        try {
            return ZoneId.of(zone).getId();
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** A negative status: for the address the event names (properties.to, or its identifier), else every one. */
    private void status(StreamEvent e, Channel channel, AddressStatus status) {
        List<AddressKind> kinds = AddressKind.forChannel(channel);
        boolean named = false;
        for (AddressKind k : kinds) {
            String value = e.property("to") != null && kinds.size() == 1 ? e.property("to") : e.identifiers().get(k.identifier());
            if (value != null) {
                named = true;
                putStatus(new AddressStatusFact(e.profileId(), k, value, status, e.occurredAt(), e.id()));
            }
        }
        if (!named) {
            for (AddressKind k : kinds) {
                putStatus(new AddressStatusFact(e.profileId(), k, null, status, e.occurredAt(), e.id()));
            }
        }
    }

    /** A positive status: only for addresses the event names. */
    private void statusOfNamed(StreamEvent e, Channel channel, AddressStatus status) {
        for (AddressKind k : AddressKind.forChannel(channel)) {
            String value = e.identifiers().get(k.identifier());
            if (value != null) {
                putStatus(new AddressStatusFact(e.profileId(), k, value, status, e.occurredAt(), e.id()));
            }
        }
    }

    private void putStatus(AddressStatusFact f) {
        statuses.merge(key(f.profileId(), f.kind().identifier(), String.valueOf(f.value())), f,
                (a, b) -> b.at().isAfter(a.at()) ? b : a);
    }

    private void consent(StreamEvent e, String channel, String topic, ConsentStatus status, String source) {
        consent(e.profileId(), channel, topic, status, source, e.occurredAt(), e.id());
    }

    private static ConsentFact laterConsent(ConsentFact a, ConsentFact b) {
        int order = b.at().compareTo(a.at());
        return order > 0 || order == 0 && b.eventId().compareTo(a.eventId()) > 0 ? b : a;
    }

    private void purchase(PurchaseFact f) {
        purchases.merge(key(f.profileId(), f.orderId()), f, (a, b) -> {
            boolean bPlaced = later(b.placedAt(), a.placedAt());
            boolean bStatus = later(b.statusAt(), a.statusAt());
            boolean bCancel = later(b.cancelledAt(), a.cancelledAt());
            return new PurchaseFact(a.profileId(), a.orderId(), bPlaced ? b.productIds() : a.productIds(),
                    bPlaced ? b.categories() : a.categories(), bPlaced ? b.placedAt() : a.placedAt(),
                    bPlaced ? b.placedEventId() : a.placedEventId(), bStatus ? b.status() : a.status(),
                    bStatus ? b.statusAt() : a.statusAt(), bCancel ? b.cancelledAt() : a.cancelledAt(),
                    bCancel ? b.cancelledEventId() : a.cancelledEventId());
        });
    }

    private void decline(DeclineFact f) {
        declines.merge(key(f.profileId(), f.kind(), f.value()), f, (a, b) -> {
            boolean bDeclined = later(b.declinedAt(), a.declinedAt());
            boolean bAccepted = later(b.acceptedAt(), a.acceptedAt());
            return new DeclineFact(a.profileId(), a.kind(), a.value(), bDeclined ? b.declinedAt() : a.declinedAt(),
                    bDeclined ? b.declinedEventId() : a.declinedEventId(), bAccepted ? b.acceptedAt() : a.acceptedAt(),
                    bAccepted ? b.acceptedEventId() : a.acceptedEventId());
        });
    }

    private void ticket(TicketFact f) {
        tickets.merge(key(f.profileId(), f.ticketId()), f, (a, b) -> {
            boolean bOpened = later(b.openedAt(), a.openedAt());
            boolean bResolved = later(b.resolvedAt(), a.resolvedAt());
            return new TicketFact(a.profileId(), a.ticketId(), bOpened ? b.openedAt() : a.openedAt(),
                    bOpened ? b.openedEventId() : a.openedEventId(), bResolved ? b.resolvedAt() : a.resolvedAt(),
                    bResolved ? b.resolvedEventId() : a.resolvedEventId());
        });
    }

    /** Whether {@code b} is set and later than {@code a} (or {@code a} unset). */
    private static boolean later(Instant b, Instant a) {
        return b != null && (a == null || b.isAfter(a));
    }

    private static List<String> values(JsonNode props, String single, String plural) {
        List<String> out = new ArrayList<>();
        String one = StreamEvent.text(props, single, null);
        if (one != null) {
            out.add(one);
        }
        for (JsonNode v : props.path(plural)) {
            if ((v.isTextual() || v.isNumber()) && !v.asText().isBlank() && !out.contains(v.asText().strip())) {
                out.add(v.asText().strip());
            }
        }
        return out;
    }

    private static String firstOf(StreamEvent e, String... names) {
        for (String n : names) {
            if (e.property(n) != null) {
                return e.property(n);
            }
        }
        return null;
    }

    private static String normal(String s) {
        return s == null ? "" : s.strip().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    }

    private static String key(String... parts) {
        return String.join("\u0000", parts);
    }
}

package dev.rapport.suppression;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;

/**
 * The suppression rules of docs/architecture.md over what is known of a person, except contact pressure (which reads
 * live counters, see {@link ContactPressure}). Plain functions: the same request, state, policy and time give the same
 * reasons.
 *
 * <p>Which rules apply: {@code marketing} all of them; {@code service} reachability, opt-out of that channel, quiet
 * hours, erasure and do-not-contact; {@code transactional} reachability and erasure only.
 */
public final class SuppressionRules {

    /** Channels that deliver to an address: marketing on them needs consent (when the policy says so). */
    public static final Set<Channel> ADDRESSABLE = Set.of(Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.MESSENGER,
            Channel.CALL_CENTER);
    /** The consent channel that stands for every channel. */
    public static final String ALL_CHANNELS = "all";

    private SuppressionRules() {
    }

    /** Every reason that applies to the request, except contact pressure, in the order of docs/architecture.md. */
    public static List<Reason> evaluate(ContactRequest r, SubjectState s, Policy p, Instant now) {
        List<Reason> out = new ArrayList<>();
        boolean marketing = r.purpose() == Purpose.MARKETING;
        boolean service = r.purpose() == Purpose.SERVICE;
        if (s.erasedAt() != null) {
            out.add(new Reason(Rule.ERASED, "The profile was erased on " + day(s.erasedAt()) + ".", s.erasedEventId(),
                    null));
            return out;
        }
        reachability(r.channel(), s, out);
        if (!s.known()) {
            // no event of the person yet: only what was recorded through the API can be known
            doNotContact(r, s, out);
            return out;
        }
        if (marketing || service) {
            consents(r, s, p, out);
        }
        if (marketing) {
            tickets(s, p, now, out);
            purchases(r, s, p, now, out);
            declines(r, s, p, now, out);
        }
        if (marketing || service) {
            Reason quiet = quietHours(r.channel(), s, p, now);
            if (quiet != null) {
                out.add(quiet);
            }
        }
        doNotContact(r, s, out);
        return out;
    }

    /** The do-not-contact list stops marketing and service messages; transactional ones still go. */
    private static void doNotContact(ContactRequest r, SubjectState s, List<Reason> out) {
        if (r.purpose() != Purpose.TRANSACTIONAL && s.doNotContact() != null) {
            out.add(new Reason(Rule.DO_NOT_CONTACT, "On the do-not-contact list since " + day(s.doNotContact().at())
                    + " (" + s.doNotContact().reason() + ").", null, null));
        }
    }

    /** The time zone of a person: their own, else the policy's default. */
    public static ZoneId zone(SubjectState s, Policy p) {
        return s.timezone() != null ? s.timezone() : p.defaultTimezone();
    }

    /**
     * A suppression in force for a person now, whatever the request.
     *
     * @param rule the rule
     * @param scope which contacts it holds back
     * @param detail what applies, for people
     * @param sourceEventId the event that caused it, or null
     * @param since when it started, or null when unknown
     * @param until when it lifts by itself, or null when it does not
     */
    public record InForce(Rule rule, String scope, String detail, String sourceEventId, Instant since, Instant until) {
    }

    /** Every suppression in force for the person at {@code now}, except contact pressure (read from the counters). */
    public static List<InForce> inForce(SubjectState s, Policy p, Instant now) {
        List<InForce> out = new ArrayList<>();
        if (s.erasedAt() != null) {
            out.add(new InForce(Rule.ERASED, "every message on every channel", "The profile was erased.",
                    s.erasedEventId(), s.erasedAt(), null));
            return out;
        }
        if (!s.known()) {
            out.add(new InForce(Rule.UNREACHABLE, "every message on every channel",
                    "No event of the profile has been seen: it is not known here (yet).", null, null, null));
        }
        if (s.doNotContact() != null) {
            out.add(new InForce(Rule.DO_NOT_CONTACT, "marketing and service messages on every channel",
                    "On the do-not-contact list (" + s.doNotContact().reason() + ", source: "
                            + s.doNotContact().source() + ").", null, s.doNotContact().at(), null));
        }
        for (Channel channel : Channel.values()) {
            if (!ADDRESSABLE.contains(channel) || !s.known()) {
                continue;
            }
            List<Reason> reasons = new ArrayList<>();
            reachability(channel, s, reasons);
            for (Reason r : reasons) {
                out.add(new InForce(r.rule(), "every message by " + channel.apiName(), r.detail(), r.sourceEventId(),
                        null, null));
            }
        }
        for (SubjectState.Consent c : s.consents()) {
            if (c.status() == ConsentStatus.OPTED_OUT) {
                boolean service = !c.channel().equals(ALL_CHANNELS) && c.topic().isEmpty();
                out.add(new InForce(Rule.OPTED_OUT, (service ? "marketing and service messages on " : "marketing on ")
                        + scope(c), "Opted out (source: " + c.source() + ").", c.eventId(), c.at(), null));
            }
        }
        if (p.consentRequired()) {
            for (Channel channel : Channel.values()) {
                if (ADDRESSABLE.contains(channel) && s.consents().stream().noneMatch(c -> c.status() == ConsentStatus.OPTED_IN
                        && (c.channel().equals(channel.apiName()) || c.channel().equals(ALL_CHANNELS)))) {
                    out.add(new InForce(Rule.NO_CONSENT, "marketing by " + channel.apiName(),
                            "No opt-in to marketing by " + channel.apiName() + " is recorded.", null, null, null));
                }
            }
        }
        List<Reason> tickets = new ArrayList<>();
        tickets(s, p, now, tickets);
        for (Reason r : tickets) {
            Instant since = s.tickets().stream().filter(t -> r.sourceEventId() != null
                    && (r.sourceEventId().equals(t.openedEventId()) || r.sourceEventId().equals(t.resolvedEventId())))
                    .map(t -> r.until() == null ? t.openedAt() : t.resolvedAt()).findFirst().orElse(null);
            out.add(new InForce(Rule.OPEN_TICKET, "marketing on every channel", r.detail(), r.sourceEventId(), since,
                    r.until()));
        }
        for (SubjectState.Purchase o : s.purchases()) {
            if (inForce(o, p, now)) {
                List<String> what = new ArrayList<>();
                o.productIds().forEach(x -> what.add("product " + x));
                o.categories().forEach(x -> what.add("category " + x));
                out.add(new InForce(Rule.PURCHASED, "promotion of " + (what.isEmpty() ? "the order's products"
                        : String.join(", ", what)), "Ordered in order " + o.orderId() + " ("
                        + (o.status() == null ? "pending" : o.status()) + ").", o.placedEventId(), o.placedAt(),
                        o.placedAt().plus(p.purchasedPeriod())));
            }
        }
        for (SubjectState.Decline d : s.declines()) {
            if (inForce(d, p, now)) {
                out.add(new InForce(Rule.DECLINED, "promotion of " + d.kind() + " " + d.value(),
                        "The person declined it.", d.declinedEventId(), d.declinedAt(),
                        d.declinedAt().plus(p.declinedPeriod())));
            }
        }
        for (Channel channel : p.quietHours().channels()) {
            Reason quiet = quietHours(channel, s, p, now);
            if (quiet != null) {
                out.add(new InForce(Rule.QUIET_HOURS, "marketing and service messages by " + channel.apiName(),
                        quiet.detail(), null, null, quiet.until()));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ rules ---

    private static void reachability(Channel channel, SubjectState s, List<Reason> out) {
        if (!s.known()) {
            out.add(Reason.of(Rule.UNREACHABLE, "No event of profile " + s.profileId() + " has been seen: it is not "
                    + "known here (yet)."));
            return;
        }
        List<AddressKind> kinds = AddressKind.forChannel(channel);
        if (kinds.isEmpty()) {
            return;
        }
        List<SubjectState.Address> addresses = s.addresses().stream().filter(a -> kinds.contains(a.kind())).toList();
        String what = String.join(" or ", kinds.stream().map(AddressKind::identifier).toList());
        if (addresses.isEmpty()) {
            out.add(Reason.of(Rule.UNREACHABLE, "No " + what + " is known for the person, so " + channel.apiName()
                    + " cannot reach them."));
            return;
        }
        if (addresses.stream().anyMatch(a -> a.status() == AddressStatus.OK)) {
            return;
        }
        SubjectState.Address latest = addresses.stream().max(Comparator.comparing(SubjectState.Address::statusAt))
                .orElseThrow();
        String state = switch (latest.status()) {
            case BOUNCED -> "hard-bounced";
            case UNREGISTERED -> "is no longer registered";
            case BLOCKED -> "is blocked by the person";
            case OK -> "works";
        };
        out.add(new Reason(Rule.UNREACHABLE, (addresses.size() == 1 ? "The only " + latest.kind().identifier()
                : "Every " + what + " (" + addresses.size() + ")") + " " + state + " (latest on " + day(latest.statusAt())
                + ").", latest.statusEventId(), null));
    }

    private static void consents(ContactRequest r, SubjectState s, Policy p, List<Reason> out) {
        boolean marketing = r.purpose() == Purpose.MARKETING;
        String channel = r.channel().apiName();
        String topic = r.topic() == null ? "" : r.topic();
        List<SubjectState.Consent> applicable = s.consents().stream()
                .filter(c -> (c.channel().equals(channel) || marketing && c.channel().equals(ALL_CHANNELS))
                        && (c.topic().isEmpty() || marketing && c.topic().equals(topic)))
                .toList();
        for (SubjectState.Consent c : applicable) {
            if (c.status() == ConsentStatus.OPTED_OUT) {
                out.add(new Reason(Rule.OPTED_OUT, "Opted out of " + scope(c) + " on " + day(c.at()) + " (source: "
                        + c.source() + ").", c.eventId(), null));
            }
        }
        if (marketing && p.consentRequired() && ADDRESSABLE.contains(r.channel())
                && applicable.stream().noneMatch(c -> c.status() == ConsentStatus.OPTED_IN)) {
            out.add(Reason.of(Rule.NO_CONSENT, "No opt-in to marketing by " + channel
                    + (topic.isEmpty() ? "" : " on topic " + topic) + " is recorded."));
        }
    }

    private static void tickets(SubjectState s, Policy p, Instant now, List<Reason> out) {
        List<SubjectState.Ticket> open = s.tickets().stream().filter(SubjectState.Ticket::open).toList();
        for (SubjectState.Ticket t : open) {
            out.add(new Reason(Rule.OPEN_TICKET, "Ticket " + t.ticketId() + " is open since " + time(t.openedAt())
                    + "; marketing resumes " + Policy.iso(p.ticketGracePeriod())
                    + " after the last ticket is resolved.", t.openedEventId(), null));
        }
        if (!open.isEmpty()) {
            return;
        }
        s.tickets().stream().filter(t -> t.resolvedAt() != null)
                .max(Comparator.comparing(SubjectState.Ticket::resolvedAt))
                .filter(t -> t.resolvedAt().plus(p.ticketGracePeriod()).isAfter(now))
                .ifPresent(t -> out.add(new Reason(Rule.OPEN_TICKET, "Ticket " + t.ticketId() + " was resolved at "
                        + time(t.resolvedAt()) + "; marketing resumes after the grace period.", t.resolvedEventId(),
                        t.resolvedAt().plus(p.ticketGracePeriod()))));
    }

    private static void purchases(ContactRequest r, SubjectState s, Policy p, Instant now, List<Reason> out) {
        if (r.productIds().isEmpty() && r.categories().isEmpty()) {
            return;
        }
        for (SubjectState.Purchase o : s.purchases()) {
            if (!inForce(o, p, now)) {
                continue;
            }
            Instant until = o.placedAt().plus(p.purchasedPeriod());
            String order = " (order " + o.orderId() + ", " + (o.status() == null ? "pending" : o.status()) + ")";
            for (String product : r.productIds()) {
                if (o.productIds().contains(product)) {
                    out.add(new Reason(Rule.PURCHASED, "Product " + product + " was ordered on " + day(o.placedAt())
                            + order + ".", o.placedEventId(), until));
                }
            }
            for (String category : r.categories()) {
                if (o.categories().contains(category)) {
                    out.add(new Reason(Rule.PURCHASED, "A product of category " + category + " was ordered on "
                            + day(o.placedAt()) + order + ".", o.placedEventId(), until));
                }
            }
        }
    }

    /** Whether an order keeps its products from being promoted at {@code now}. */
    public static boolean inForce(SubjectState.Purchase o, Policy p, Instant now) {
        return o.placedAt() != null && o.cancelledAt() == null && o.placedAt().plus(p.purchasedPeriod()).isAfter(now);
    }

    private static void declines(ContactRequest r, SubjectState s, Policy p, Instant now, List<Reason> out) {
        for (SubjectState.Decline d : s.declines()) {
            if (!inForce(d, p, now)) {
                continue;
            }
            boolean matches = d.kind().equals("product") ? r.productIds().contains(d.value())
                    : r.categories().contains(d.value());
            if (matches) {
                out.add(new Reason(Rule.DECLINED, "The person declined " + d.kind() + " " + d.value() + " on "
                        + day(d.declinedAt()) + ".", d.declinedEventId(), d.declinedAt().plus(p.declinedPeriod())));
            }
        }
    }

    /** Whether a decline keeps its product or category from being promoted at {@code now}. */
    public static boolean inForce(SubjectState.Decline d, Policy p, Instant now) {
        return d.declinedAt() != null && (d.acceptedAt() == null || d.acceptedAt().isBefore(d.declinedAt()))
                && d.declinedAt().plus(p.declinedPeriod()).isAfter(now);
    }

    /** The quiet-hours deferral of a contact on {@code channel} at {@code now}, or null. */
    public static Reason quietHours(Channel channel, SubjectState s, Policy p, Instant now) {
        ZoneId zone = zone(s, p);
        Instant until = p.quietHours().deferUntil(channel, now, zone);
        if (until == null) {
            return null;
        }
        return new Reason(Rule.QUIET_HOURS, "It is night in " + zone.getId() + " (quiet hours "
                + p.toDraft().quietHours().start() + "–" + p.toDraft().quietHours().end() + " for " + channel.apiName()
                + "); the message may go at " + until.atZone(zone).toLocalDateTime() + " local time.", null, until);
    }

    private static String scope(SubjectState.Consent c) {
        String channel = c.channel().equals(ALL_CHANNELS) ? "every channel" : c.channel();
        return c.topic().isEmpty() ? channel : "topic " + c.topic() + " on " + channel;
    }

    static String day(Instant at) {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(at.atZone(java.time.ZoneOffset.UTC));
    }

    static String time(Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}

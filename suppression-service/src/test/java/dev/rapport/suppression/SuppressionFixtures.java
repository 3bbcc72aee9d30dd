package dev.rapport.suppression;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.common.stream.StreamEvent;
import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;

/** People, events and requests for tests, unique per call so tests never see each other's data. */
public final class SuppressionFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SuppressionFixtures() {
    }

    public static String profileId() {
        return "p-" + UUID.randomUUID();
    }

    public static String eventId() {
        return "e-" + UUID.randomUUID();
    }

    public static ContactRequest marketing(String profileId, Channel channel, String... productIds) {
        return new ContactRequest(profileId, channel, Purpose.MARKETING, "c-1", List.of(productIds), List.of(), null,
                false);
    }

    public static ContactRequest request(String profileId, Channel channel, Purpose purpose) {
        return new ContactRequest(profileId, channel, purpose, null, List.of(), List.of(), null, false);
    }

    /** A CloudEvents document as profile-service publishes it (the stream contract's own writer). */
    public static String cloudEvent(String id, String type, String profileId, String channel, Instant at,
            Map<String, ?> identifiers, Map<String, ?> properties, Map<String, ?> traits) {
        return StreamEvent.write(id, type, channel, at, Instant.now(), profileId, json(identifiers), json(traits),
                json(properties));
    }

    private static String json(Map<String, ?> values) {
        return JSON.valueToTree(values).toString();
    }

    /** An event for the stream, built fluently. */
    public static Event event(String type, String profileId, Instant at) {
        return new Event(eventId(), type, profileId, at);
    }

    /** An event under construction. */
    public static final class Event {
        final String id;
        final String type;
        final String profileId;
        final Instant at;
        String channel;
        final Map<String, Object> identifiers = new LinkedHashMap<>();
        final Map<String, Object> properties = new LinkedHashMap<>();
        final Map<String, Object> traits = new LinkedHashMap<>();

        Event(String id, String type, String profileId, Instant at) {
            this.id = id;
            this.type = type;
            this.profileId = profileId;
            this.at = at;
        }

        public Event channel(String c) {
            channel = c;
            return this;
        }

        public Event id(String kind, String value) {
            identifiers.put(kind, value);
            return this;
        }

        public Event prop(String name, Object value) {
            properties.put(name, value);
            return this;
        }

        public Event trait(String name, Object value) {
            traits.put(name, value);
            return this;
        }

        public String id() {
            return id;
        }

        public String profileId() {
            return profileId;
        }

        public String json() {
            return cloudEvent(id, type, profileId, channel, at, identifiers, properties, traits);
        }

        public StreamEvent parsed() {
            return StreamEvent.parse(json());
        }
    }

    /** The state the events would leave, as the rules read it (for domain tests, without a database). */
    public static SubjectState state(String profileId, List<Event> events) {
        StateChanges changes = new StateChanges();
        events.forEach(e -> changes.add(e.parsed()));
        List<SubjectState.Address> addresses = new ArrayList<>();
        for (StateChanges.AddressSeen a : changes.addresses()) {
            StateChanges.AddressStatusFact status = changes.addressStatuses().stream()
                    .filter(s -> s.kind() == a.kind() && (s.value() == null || s.value().equals(a.value())))
                    .reduce((x, y) -> y.at().isAfter(x.at()) ? y : x).orElse(null);
            addresses.add(new SubjectState.Address(a.kind(), a.value(), a.seenAt(),
                    status == null ? AddressStatus.OK : status.status(), status == null ? null : status.at(),
                    status == null ? null : status.eventId()));
        }
        StateChanges.SubjectFact subject = changes.subjects().stream().findFirst().orElse(null);
        return new SubjectState(profileId, subject != null,
                subject == null || subject.timezone() == null ? null : java.time.ZoneId.of(subject.timezone()), null,
                null, null, addresses,
                changes.purchases().stream().map(p -> new SubjectState.Purchase(p.orderId(), p.productIds(),
                        p.categories(), p.placedAt(), p.placedEventId(), p.status(), p.cancelledAt(),
                        p.cancelledEventId())).toList(),
                changes.declines().stream().map(d -> new SubjectState.Decline(d.kind(), d.value(), d.declinedAt(),
                        d.declinedEventId(), d.acceptedAt())).toList(),
                changes.tickets().stream().map(t -> new SubjectState.Ticket(t.ticketId(), t.openedAt(),
                        t.openedEventId(), t.resolvedAt(), t.resolvedEventId())).toList(),
                changes.consents().stream().map(c -> new SubjectState.Consent(c.channel(), c.topic(), c.status(),
                        c.source(), c.at(), c.eventId())).toList());
    }
}

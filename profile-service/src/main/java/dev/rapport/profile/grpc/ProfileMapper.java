package dev.rapport.profile.grpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

import dev.rapport.common.error.FieldError;
import dev.rapport.profile.Identifier;
import dev.rapport.profile.Profile;
import dev.rapport.profile.RawEvent;
import dev.rapport.profile.StoredEvent;
import dev.rapport.profile.Summary;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.Interest;
import dev.rapport.proto.profile.v1.ProfileSummary;

/** Between the profile contract's messages and the domain. */
final class ProfileMapper {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProfileMapper() {
    }

    /** An event of the contract as a raw event to validate; misuse of the message shape is noted as field errors. */
    static RawEvent raw(Event e) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, String> identifiers = new LinkedHashMap<>();
        for (int i = 0; i < e.getIdentifiersCount(); i++) {
            dev.rapport.proto.profile.v1.Identifier id = e.getIdentifiers(i);
            if (id.getKind() == IdentifierKind.IDENTIFIER_KIND_UNSPECIFIED || id.getKind() == IdentifierKind.UNRECOGNIZED) {
                errors.add(new FieldError("identifiers[" + i + "].kind", "is required"));
                continue;
            }
            String kind = apiName(id.getKind());
            if (identifiers.put(kind, id.getValue()) != null) {
                errors.add(new FieldError("identifiers." + kind, "is given more than once"));
            }
        }
        String channel = e.getChannel() == Channel.CHANNEL_UNSPECIFIED ? null
                : e.getChannel() == Channel.UNRECOGNIZED ? "unrecognized" : apiName(e.getChannel());
        String occurredAt = null;
        if (e.hasOccurredAt()) {
            try {
                occurredAt = instant(e.getOccurredAt()).toString();
            } catch (java.time.DateTimeException ex) {
                errors.add(new FieldError("occurredAt", "is not a time Rapport can hold"));
            }
        }
        return new RawEvent(blankToNull(e.getId()), blankToNull(e.getType()), channel, occurredAt, identifiers,
                e.hasTraits() ? object(e.getTraits()) : null, e.hasProperties() ? object(e.getProperties()) : null,
                errors);
    }

    static dev.rapport.proto.profile.v1.Profile profile(Profile p) {
        Summary s = p.summary();
        ProfileSummary.Builder summary = ProfileSummary.newBuilder()
                .addAllPurchases(s.purchases())
                .addAllPendingOrders(s.pendingOrders())
                .setOrdersCount(s.ordersCount())
                .setRevenue(s.revenue().toPlainString())
                .setAverageOrderValue(s.averageOrderValue().toPlainString());
        if (s.currency() != null) {
            summary.setCurrency(s.currency());
        }
        s.lastSeen().forEach((channel, at) -> summary.putLastSeen(channel, timestamp(at)));
        for (Summary.Interest i : s.interests()) {
            summary.addInterests(Interest.newBuilder().setKind(i.kind()).setValue(i.value()).setCount(i.count())
                    .setLastAt(timestamp(i.lastAt())));
        }
        s.declinedOffers().forEach(o -> summary.addDeclinedOffers(o.value()));
        s.openTickets().forEach(t -> summary.addOpenTickets(t.ticketId()));
        dev.rapport.proto.profile.v1.Profile.Builder b = dev.rapport.proto.profile.v1.Profile.newBuilder()
                .setId(p.id()).setTraits(struct(p.traits())).addAllMergedIds(p.mergedIds()).setSummary(summary)
                .setCreatedAt(timestamp(p.createdAt()));
        for (Identifier i : p.identifiers()) {
            b.addIdentifiers(identifier(i));
        }
        return b.build();
    }

    static dev.rapport.proto.profile.v1.StoredEvent stored(StoredEvent e) {
        Event.Builder event = Event.newBuilder().setId(e.id()).setType(e.type())
                .setOccurredAt(timestamp(e.occurredAt()));
        if (e.channel() != null) {
            event.setChannel(Channel.valueOf("CHANNEL_" + e.channel().toUpperCase(Locale.ROOT)));
        }
        e.identifiers().properties().forEach(f -> dev.rapport.profile.IdentifierKind.fromApiName(f.getKey())
                .ifPresent(kind -> event.addIdentifiers(identifier(new Identifier(kind, f.getValue().asText())))));
        if (e.traits() != null) {
            event.setTraits(struct(e.traits()));
        }
        if (e.properties() != null) {
            event.setProperties(struct(e.properties()));
        }
        return dev.rapport.proto.profile.v1.StoredEvent.newBuilder().setEvent(event).setProfileId(e.profileId())
                .setReceivedAt(timestamp(e.receivedAt())).build();
    }

    static dev.rapport.proto.profile.v1.Identifier identifier(Identifier i) {
        return dev.rapport.proto.profile.v1.Identifier.newBuilder()
                .setKind(IdentifierKind.valueOf("IDENTIFIER_KIND_" + i.kind().name())).setValue(i.value()).build();
    }

    static dev.rapport.profile.IdentifierKind kind(IdentifierKind kind) {
        return dev.rapport.profile.IdentifierKind.valueOf(kind.name().substring("IDENTIFIER_KIND_".length()));
    }

    static String apiName(IdentifierKind kind) {
        return kind(kind).apiName();
    }

    static String apiName(Channel channel) {
        return channel.name().substring("CHANNEL_".length()).toLowerCase(Locale.ROOT);
    }

    /**
     * A JSON object as a protobuf {@code Struct}, walking the tree (JsonFormat's parser would print and read every
     * event's JSON again, the larger part of a timeline read's CPU); numbers become doubles, as JsonFormat makes them.
     */
    static Struct struct(ObjectNode node) {
        Struct.Builder b = Struct.newBuilder();
        if (node == null) {
            return b.build();
        }
        node.properties().forEach(e -> b.putFields(e.getKey(), value(e.getValue())));
        return b.build();
    }

    private static Value value(JsonNode n) {
        return switch (n.getNodeType()) {
            case BOOLEAN -> Value.newBuilder().setBoolValue(n.booleanValue()).build();
            case NUMBER -> Value.newBuilder().setNumberValue(n.doubleValue()).build();
            case STRING -> Value.newBuilder().setStringValue(n.textValue()).build();
            case ARRAY -> {
                ListValue.Builder list = ListValue.newBuilder();
                n.forEach(item -> list.addValues(value(item)));
                yield Value.newBuilder().setListValue(list).build();
            }
            case OBJECT -> Value.newBuilder().setStructValue(struct((ObjectNode) n)).build();
            case NULL, MISSING -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            default -> Value.newBuilder().setStringValue(n.asText()).build();
        };
    }

    static ObjectNode object(Struct struct) {
        try {
            JsonNode node = JSON.readTree(JsonFormat.printer().print(struct));
            return (ObjectNode) node;
        } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

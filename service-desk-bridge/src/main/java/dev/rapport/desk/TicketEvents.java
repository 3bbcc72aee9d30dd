package dev.rapport.desk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.common.stream.EventTypes;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;

/**
 * The events a ticket change becomes on the requester's profile: {@code ticket_opened} when the ticket is new to the
 * mirror or was solved (a reopening), {@code ticket_updated} with its status while it stays open, {@code ticket_resolved}
 * when it is solved or closed, and {@code csat_submitted} for a satisfaction rating. Each event's id is derived from
 * the delivery, so a delivery recorded twice (after a failure) is one event.
 */
public final class TicketEvents {

    private TicketEvents() {
    }

    /**
     * The events of a change.
     *
     * @param known the ticket as the mirror holds it before the change, or null when it is new
     * @param receivedAt when the delivery came, the events' time when the desk gave none
     */
    public static List<Event> of(TicketChange change, Ticket known, Instant receivedAt) {
        Instant at = change.at() != null ? change.at() : receivedAt;
        String type = !change.open() ? EventTypes.TICKET_RESOLVED
                : known == null || !known.open() ? EventTypes.TICKET_OPENED : EventTypes.TICKET_UPDATED;
        Struct.Builder properties = Struct.newBuilder().putFields("ticketId", text(change.rapportTicketId()))
                .putFields("desk", text(change.desk())).putFields("deskTicketId", text(change.ticketId()))
                .putFields("status", text(change.status()));
        if (change.subject() != null) {
            properties.putFields("subject", text(change.subject()));
        }
        if (change.reason() != null) {
            properties.putFields("reason", text(change.reason()));
        }
        List<Event> out = new ArrayList<>(2);
        String base = "desk-" + change.desk() + "-" + digest(change.deliveryId());
        out.add(event(base, type, at, change, properties.build()));
        if (change.satisfaction() != null) {
            out.add(event(base + "-csat", EventTypes.CSAT_SUBMITTED, at, change, Struct.newBuilder()
                    .putFields("score", text(change.satisfaction()))
                    .putFields("ticketId", text(change.rapportTicketId())).build()));
        }
        return out;
    }

    private static Event event(String id, String type, Instant at, TicketChange change, Struct properties) {
        Event.Builder e = Event.newBuilder().setId(id).setType(type).setChannel(Channel.CHANNEL_SERVICE_DESK)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setProperties(properties);
        if (change.email() != null) {
            e.addIdentifiers(Identifier.newBuilder().setKind(IdentifierKind.IDENTIFIER_KIND_EMAIL)
                    .setValue(change.email()));
        }
        if (change.phone() != null) {
            e.addIdentifiers(Identifier.newBuilder().setKind(IdentifierKind.IDENTIFIER_KIND_PHONE)
                    .setValue(change.phone()));
        }
        return e.build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    /** 32 hex characters of the delivery id's SHA-256: a short, stable event id whatever the desk's id looks like. */
    public static String digest(String deliveryId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(deliveryId.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.channel.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.channel.webhook.ProviderCallbacks.Callback;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import io.vertx.core.json.JsonObject;

/**
 * A message a person sent (an SMS through Twilio, a Telegram or WhatsApp message) as the events it becomes on the
 * sender's profile, found by their phone, Telegram id or WhatsApp id: {@code inbound_message} with the text, a
 * conversation id (one per person and channel: {@code sms:+7…}, {@code telegram:<chat>}, {@code whatsapp:<wa id>})
 * and the source; an SMS that is only a stop word ({@code STOP}, {@code СТОП}, {@code ОТПИСАТЬСЯ}) also becomes
 * {@code unsubscribed} from SMS, a start word {@code subscribed}. The events' ids derive from the provider's id of the
 * message, so recording one twice records it once. Plain functions.
 */
public final class Inbound {

    private Inbound() {
    }

    /** The events of an inbound callback (empty for what is not a person's message). */
    public static List<Event> events(Callback c, Instant receivedAt) {
        JsonObject p = c.payload();
        return switch (c.provider()) {
            case "twilio" -> twilio(c, p, receivedAt);
            case "telegram" -> telegram(c, p, receivedAt);
            case "whatsapp" -> whatsapp(c, p, receivedAt);
            default -> List.of();
        };
    }

    /** The id of the first event of a callback (the one profile-service's answer names it by). */
    public static String eventId(Callback c) {
        return "channel-in-" + c.provider() + "-" + c.eventId();
    }

    private static List<Event> twilio(Callback c, JsonObject p, Instant at) {
        String from = p.getString("From", "");
        String text = p.getString("Body", "");
        List<Event> out = new ArrayList<>();
        if (from.startsWith("whatsapp:")) {
            String wa = digits(from.substring("whatsapp:".length()));
            out.add(inbound(eventId(c), Channel.CHANNEL_MESSENGER, IdentifierKind.IDENTIFIER_KIND_WHATSAPP_ID, wa,
                    text, "whatsapp:" + wa, "whatsapp", at, p.getString("MessageSid")));
            return out;
        }
        out.add(inbound(eventId(c), Channel.CHANNEL_SMS, IdentifierKind.IDENTIFIER_KIND_PHONE, from, text,
                "sms:" + from, "sms", at, p.getString("MessageSid")));
        String word = EventTypes.smsKeyword(text);
        boolean stop = EventTypes.SMS_STOP.contains(word);
        if (stop || EventTypes.SMS_START.contains(word)) {
            Struct props = Struct.newBuilder().putFields("channel", text("sms"))
                    .putFields("source", text((stop ? "sms_stop (" : "sms_start (") + word + ")")).build();
            out.add(event(eventId(c) + (stop ? ":unsubscribed" : ":subscribed"), stop ? EventTypes.UNSUBSCRIBED
                    : EventTypes.SUBSCRIBED, Channel.CHANNEL_SMS, IdentifierKind.IDENTIFIER_KIND_PHONE, from, at,
                    props));
        }
        return out;
    }

    private static List<Event> telegram(Callback c, JsonObject update, Instant receivedAt) {
        JsonObject m = update.getJsonObject("message");
        if (m == null || m.getString("text") == null || m.getJsonObject("chat") == null) {
            return List.of();
        }
        JsonObject chat = m.getJsonObject("chat");
        JsonObject from = m.getJsonObject("from");
        String person = String.valueOf((from != null ? from : chat).getValue("id"));
        Instant at = m.getValue("date") instanceof Number d ? Instant.ofEpochSecond(d.longValue()) : receivedAt;
        return List.of(inbound(eventId(c), Channel.CHANNEL_MESSENGER, IdentifierKind.IDENTIFIER_KIND_TELEGRAM_ID,
                person, m.getString("text"), "telegram:" + chat.getValue("id"), "telegram", at,
                String.valueOf(m.getValue("message_id"))));
    }

    private static List<Event> whatsapp(Callback c, JsonObject m, Instant receivedAt) {
        String wa = digits(m.getString("from"));
        JsonObject text = m.getJsonObject("text");
        String body = text != null && text.getString("body") != null ? text.getString("body")
                : "[" + m.getString("type", "message") + "]";
        Instant at = receivedAt;
        try {
            at = Instant.ofEpochSecond(Long.parseLong(m.getString("timestamp", "")));
        } catch (NumberFormatException e) {
            // the time it was received stands
        }
        return List.of(inbound(eventId(c), Channel.CHANNEL_MESSENGER, IdentifierKind.IDENTIFIER_KIND_WHATSAPP_ID, wa,
                body, "whatsapp:" + wa, "whatsapp", at, m.getString("id")));
    }

    private static Event inbound(String id, Channel channel, IdentifierKind kind, String person, String text,
            String conversation, String source, Instant at, String providerMessageId) {
        Struct.Builder props = Struct.newBuilder().putFields("text", text(text))
                .putFields("conversationId", text(conversation)).putFields("source", text(source));
        if (providerMessageId != null) {
            props.putFields("providerMessageId", text(providerMessageId));
        }
        return event(id, EventTypes.INBOUND_MESSAGE, channel, kind, person, at, props.build());
    }

    private static Event event(String id, String type, Channel channel, IdentifierKind kind, String person,
            Instant at, Struct props) {
        return Event.newBuilder().setId(id).setType(type).setChannel(channel)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .addIdentifiers(Identifier.newBuilder().setKind(kind).setValue(person)).setProperties(props).build();
    }

    private static String digits(String s) {
        return s == null ? "" : s.replaceAll("[^0-9]", "");
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }
}

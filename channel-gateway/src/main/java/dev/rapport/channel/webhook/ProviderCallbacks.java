package dev.rapport.channel.webhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads a verified webhook body into the events it carries, one {@link Callback} each, keyed by the provider's id of the
 * event so a redelivery is known: a Twilio status callback is one event (its message and the status it reports), an
 * inbound SMS one (its {@code MessageSid}); a SendGrid post is a batch (each {@code sg_event_id}); a Telegram update
 * one ({@code update_id}); a WhatsApp post carries statuses (each message id with its status) and inbound messages
 * (each message id). A body that is not what the provider sends is {@link Invalid}. Plain functions.
 */
public final class ProviderCallbacks {

    /** How many events one webhook may carry (SendGrid batches are far smaller). */
    static final int MAX_EVENTS = 5_000;

    /** One event of a provider, as it came. */
    public record Callback(String provider, String eventId, String kind, JsonObject payload) {
    }

    /** A body the provider would not send. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private ProviderCallbacks() {
    }

    /** The form parameters of a body, decoded, in the order received, repeated names kept. */
    public static List<Map.Entry<String, String>> form(byte[] body) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return out;
        }
        for (String pair : text.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.add(new SimpleImmutableEntry<>(name, value));
            } catch (IllegalArgumentException e) {
                throw new Invalid("the form is not URL-encoded: " + e.getMessage());
            }
        }
        return out;
    }

    /** A Twilio status callback: the message and the status it reports. */
    public static Callback twilioStatus(List<Map.Entry<String, String>> params) {
        JsonObject p = object(params);
        String sid = required(p, "MessageSid");
        String status = p.getString("MessageStatus", p.getString("SmsStatus"));
        if (status == null || status.isBlank()) {
            throw new Invalid("MessageStatus is required");
        }
        return new Callback("twilio", sid + ":" + status, "status", p);
    }

    /** A Twilio inbound message. */
    public static Callback twilioInbound(List<Map.Entry<String, String>> params) {
        JsonObject p = object(params);
        String sid = required(p, "MessageSid");
        required(p, "From");
        return new Callback("twilio", sid, "inbound", p);
    }

    /** A SendGrid event-webhook post: a JSON array of events. */
    public static List<Callback> sendgrid(byte[] body) {
        Object parsed = json(body);
        if (!(parsed instanceof JsonArray events)) {
            throw new Invalid("SendGrid posts a JSON array of events");
        }
        if (events.isEmpty() || events.size() > MAX_EVENTS) {
            throw new Invalid("a post carries from 1 to " + MAX_EVENTS + " events, not " + events.size());
        }
        List<Callback> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (!(events.getValue(i) instanceof JsonObject e)) {
                throw new Invalid("event " + i + " is not an object");
            }
            String id = text(e, "sg_event_id");
            String type = text(e, "event");
            if (id == null || type == null) {
                throw new Invalid("event " + i + " needs sg_event_id and event");
            }
            out.add(new Callback("sendgrid", id, "status", e));
        }
        return out;
    }

    /** A Telegram update. */
    public static Callback telegram(byte[] body) {
        Object parsed = json(body);
        if (!(parsed instanceof JsonObject update) || !(update.getValue("update_id") instanceof Number id)) {
            throw new Invalid("a Telegram Update is an object with a numeric update_id");
        }
        JsonObject message = update.getJsonObject("message");
        boolean inbound = message != null && message.getJsonObject("chat") != null
                && message.getString("text") != null;
        return new Callback("telegram", String.valueOf(id.longValue()), inbound ? "inbound" : "other", update);
    }

    /** A WhatsApp Cloud API post: its entries' statuses and inbound messages. */
    public static List<Callback> whatsapp(byte[] body) {
        Object parsed = json(body);
        if (!(parsed instanceof JsonObject post) || !(post.getValue("entry") instanceof JsonArray entries)) {
            throw new Invalid("a WhatsApp webhook is an object with an entry array");
        }
        List<Callback> out = new ArrayList<>();
        for (Object entry : entries) {
            JsonArray changes = entry instanceof JsonObject o ? o.getJsonArray("changes") : null;
            if (changes == null) {
                throw new Invalid("every entry has changes");
            }
            for (Object change : changes) {
                JsonObject value = change instanceof JsonObject c ? c.getJsonObject("value") : null;
                if (value == null) {
                    throw new Invalid("every change has a value");
                }
                whatsappValue(value, out);
            }
        }
        if (out.size() > MAX_EVENTS) {
            throw new Invalid("a post carries at most " + MAX_EVENTS + " events");
        }
        return out;
    }

    private static void whatsappValue(JsonObject value, List<Callback> out) {
        JsonArray statuses = value.getJsonArray("statuses", new JsonArray());
        for (Object s : statuses) {
            if (!(s instanceof JsonObject status) || text(status, "id") == null || text(status, "status") == null) {
                throw new Invalid("every status has an id and a status");
            }
            out.add(new Callback("whatsapp", status.getString("id") + ":" + status.getString("status"), "status",
                    status));
        }
        JsonArray contacts = value.getJsonArray("contacts", new JsonArray());
        for (Object m : value.getJsonArray("messages", new JsonArray())) {
            if (!(m instanceof JsonObject message) || text(message, "id") == null || text(message, "from") == null) {
                throw new Invalid("every message has an id and a from");
            }
            JsonObject payload = message.copy();
            for (Object c : contacts) {
                if (c instanceof JsonObject contact && message.getString("from").equals(contact.getString("wa_id"))) {
                    payload.put("contact", contact);
                }
            }
            out.add(new Callback("whatsapp", message.getString("id"), "inbound", payload));
        }
    }

    private static Object json(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        try {
            return text.startsWith("[") ? new JsonArray(text) : new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new Invalid("the body is not JSON");
        }
    }

    private static JsonObject object(List<Map.Entry<String, String>> params) {
        JsonObject o = new JsonObject();
        params.forEach(p -> o.put(p.getKey(), p.getValue()));
        return o;
    }

    private static String required(JsonObject p, String name) {
        String v = p.getString(name);
        if (v == null || v.isBlank()) {
            throw new Invalid(name + " is required");
        }
        return v;
    }

    private static String text(JsonObject o, String name) {
        Object v = o.getValue(name);
        return v instanceof String s && !s.isBlank() ? s : null;
    }
}

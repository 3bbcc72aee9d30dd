package dev.rapport.channel.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.rapport.channel.webhook.ProviderCallbacks.Callback;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a provider's callback says about a message it sent, in Rapport's words: the status it moves to and the event it
 * becomes. Twilio's {@code delivered}, SendGrid's {@code delivered}, WhatsApp's {@code delivered} are
 * {@code delivered}; a read receipt or an open is {@code opened}; a click {@code clicked}; an undeliverable number, a
 * hard bounce or an undeliverable WhatsApp number is {@code bounced} with {@code bounce: hard} (the address is
 * unreachable from then on), a block by a mail server a soft bounce; a SendGrid unsubscribe or spam report is an
 * {@code unsubscribed} from email. Progress reports ({@code queued}, {@code processed}, {@code deferred}) say nothing
 * new. Plain functions.
 */
public final class Reports {

    /** Twilio error codes that mean the number can never be reached. */
    static final Set<String> TWILIO_UNREACHABLE = Set.of("30003", "30005", "30006", "21211", "21614");
    /** Twilio's refusal to send to a number that replied STOP. */
    static final String TWILIO_OPTED_OUT = "21610";
    /** WhatsApp error codes that mean the number can never be reached on WhatsApp. */
    static final Set<String> WHATSAPP_UNREACHABLE = Set.of("131026", "131030", "133010");

    /**
     * One thing a callback says about a message.
     *
     * @param key the message: the provider's id of it, or Rapport's own id when {@code ours}
     * @param to the status it moves to, or null when only an event is recorded
     * @param event the event it becomes
     * @param properties what the event says beyond the message ({@code bounce}, {@code url}, {@code channel}, …)
     * @param error the provider's reason, kept on a message that failed
     */
    public record Report(String key, boolean ours, String to, String event, JsonObject properties, String error) {

        /** The statuses a message moves to {@code to} from: forwards only. */
        public List<String> from() {
            return switch (to == null ? "" : to) {
                case "delivered" -> List.of("sent");
                case "opened" -> List.of("sent", "delivered");
                case "clicked" -> List.of("sent", "delivered", "opened");
                case "bounced", "failed" -> List.of("sent");
                default -> List.of();
            };
        }
    }

    private Reports() {
    }

    /** What a status callback says; empty when it says nothing new. */
    public static List<Report> of(Callback c) {
        return switch (c.provider()) {
            case "twilio" -> twilio(c.payload());
            case "sendgrid" -> sendgrid(c.payload());
            case "whatsapp" -> whatsapp(c.payload());
            default -> List.of();
        };
    }

    private static List<Report> twilio(JsonObject p) {
        String sid = p.getString("MessageSid");
        String status = p.getString("MessageStatus", p.getString("SmsStatus", ""));
        String code = p.getString("ErrorCode", "");
        List<Report> out = new ArrayList<>();
        switch (status) {
            case "delivered", "partially_delivered" -> out.add(new Report(sid, false, "delivered",
                    "message_delivered", null, null));
            case "read" -> out.add(new Report(sid, false, "opened", "message_opened", null, null));
            case "undelivered", "failed", "canceled" -> {
                String why = "Twilio reported " + status + (code.isBlank() ? "" : " (error " + code + ")");
                if (TWILIO_UNREACHABLE.contains(code)) {
                    out.add(new Report(sid, false, "bounced", "message_bounced", new JsonObject().put("bounce", "hard")
                            .put("errorCode", code), why));
                } else {
                    out.add(new Report(sid, false, "failed", "message_failed", code.isBlank() ? null
                            : new JsonObject().put("errorCode", code), why));
                }
                if (code.equals(TWILIO_OPTED_OUT)) {
                    out.add(new Report(sid, false, null, "unsubscribed", new JsonObject().put("channel", "sms")
                            .put("source", "twilio_opt_out (error 21610)"), null));
                }
            }
            default -> {
                // queued, sending, sent, accepted, scheduled: the send itself was recorded when Twilio took it
            }
        }
        return out;
    }

    private static List<Report> sendgrid(JsonObject e) {
        String ours = e.getValue("message_id") instanceof String s && !s.isBlank() ? s : null;
        String theirs = e.getString("sg_message_id", "");
        int dot = theirs.indexOf('.');
        String key = ours != null ? ours : dot > 0 ? theirs.substring(0, dot) : theirs;
        boolean isOurs = ours != null;
        String reason = e.getValue("reason") instanceof String r ? r : null;
        Object group = e.getValue("asm_group_id");
        return switch (e.getString("event", "")) {
            case "delivered" -> List.of(new Report(key, isOurs, "delivered", "message_delivered", null, null));
            case "open" -> List.of(new Report(key, isOurs, "opened", "message_opened",
                    Boolean.TRUE.equals(e.getValue("sg_machine_open")) ? new JsonObject().put("machine", true) : null,
                    null));
            case "click" -> List.of(new Report(key, isOurs, "clicked", "message_clicked",
                    e.getValue("url") instanceof String url ? new JsonObject().put("url", url) : null, null));
            case "bounce" -> List.of(new Report(key, isOurs, "bounced", "message_bounced", new JsonObject()
                    .put("bounce", "blocked".equals(e.getValue("type")) ? "soft" : "hard"),
                    "SendGrid: " + (reason == null ? "bounced" : reason)));
            case "dropped" -> reason != null && reason.contains("Bounced Address")
                    ? List.of(new Report(key, isOurs, "bounced", "message_bounced", new JsonObject()
                            .put("bounce", "hard"), "SendGrid dropped it: " + reason))
                    : List.of(new Report(key, isOurs, "failed", "message_failed", null,
                            "SendGrid dropped it: " + (reason == null ? "no reason given" : reason)));
            case "spamreport" -> List.of(new Report(key, isOurs, null, "unsubscribed", new JsonObject()
                    .put("channel", "email").put("source", "spam_report"), null));
            case "unsubscribe" -> List.of(new Report(key, isOurs, null, "unsubscribed", new JsonObject()
                    .put("channel", "email").put("source", "sendgrid_unsubscribe"), null));
            case "group_unsubscribe", "group_resubscribe" -> {
                JsonObject props = new JsonObject().put("channel", "email").put("source", "sendgrid_"
                        + e.getString("event"));
                if (group != null) {
                    props.put("topic", String.valueOf(group));
                }
                yield List.of(new Report(key, isOurs, null, e.getString("event").equals("group_unsubscribe")
                        ? "unsubscribed" : "subscribed", props, null));
            }
            default -> List.of();
        };
    }

    private static List<Report> whatsapp(JsonObject s) {
        String id = s.getString("id");
        return switch (s.getString("status", "")) {
            case "delivered" -> List.of(new Report(id, false, "delivered", "message_delivered", null, null));
            case "read" -> List.of(new Report(id, false, "opened", "message_opened", null, null));
            case "failed" -> {
                JsonArray errors = s.getJsonArray("errors", new JsonArray());
                JsonObject first = errors.isEmpty() || !(errors.getValue(0) instanceof JsonObject o) ? new JsonObject()
                        : o;
                String code = String.valueOf(first.getValue("code", ""));
                String why = "WhatsApp reported failed" + (code.isBlank() ? "" : " (" + code + " "
                        + first.getString("title", "") + ")");
                yield WHATSAPP_UNREACHABLE.contains(code)
                        ? List.of(new Report(id, false, "bounced", "message_bounced", new JsonObject()
                                .put("bounce", "hard").put("errorCode", code), why))
                        : List.of(new Report(id, false, "failed", "message_failed", code.isBlank() ? null
                                : new JsonObject().put("errorCode", code), why));
            }
            default -> List.of();
        };
    }
}

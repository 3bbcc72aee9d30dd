package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;
import static dev.rapport.stubs.StubServer.body;
import static dev.rapport.stubs.StubServer.form;
import static dev.rapport.stubs.StubServer.respond;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A stand-in of Twilio's Programmable Messaging API, as documented at twilio.com/docs/messaging/api/message-resource:
 * {@code POST /2010-04-01/Accounts/{AccountSid}/Messages.json} with the form fields {@code To}, {@code From} or
 * {@code MessagingServiceSid}, {@code Body} and optionally {@code StatusCallback}, answered {@code 201} with the
 * Message resource ({@code status} {@code queued}, or {@code accepted} when sent through a Messaging Service, as
 * Twilio does), and {@code GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}.json}. Requests authenticate
 * with HTTP Basic {@code AccountSid:AuthToken}; others get {@code 401} with error 20003.
 *
 * <p>Errors come in Twilio's JSON ({@code code}, {@code message}, {@code more_info}, {@code status}): 21604/21603 for
 * a missing {@code To}/{@code From}, 21211 for a {@code To} that is not E.164, 21212 for a {@code From} that is no
 * number, short code or alphanumeric sender, 21602 for an empty body, 21610 for a recipient a test marked as having
 * replied STOP ({@link #optOut}), 20404 for a message it does not have. A test makes the next requests fail
 * ({@link #failNext}): 429 with error 20429, or 500/503 with 20500/20503. It does not call the
 * {@code StatusCallback}; a test moves a message on with {@link #setStatus}.
 */
public final class TwilioStub {

    private static final Pattern MESSAGES = Pattern.compile("/twilio/2010-04-01/Accounts/([^/]+)/Messages\\.json");
    private static final Pattern MESSAGE = Pattern.compile(
            "/twilio/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\\.json");
    static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{1,14}");
    /** A number, a short code or an alphanumeric sender ID (up to 11 letters, digits and spaces, one a letter). */
    private static final Pattern SENDER = Pattern.compile(
            "\\+[1-9]\\d{1,14}|\\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}");
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z",
            Locale.US);
    /** The GSM 03.38 basic character set: a message of only these is sent in 7-bit septets. */
    private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    /** The GSM extension table: each takes two septets (an escape and the character). */
    private static final String GSM_EXTENDED = "^{}\\[~]|€\f";
    private static final int KEPT = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String accountSid;
    private final String authorization;
    private final Set<String> optedOut = ConcurrentHashMap.newKeySet();
    private final Map<String, ObjectNode> messages = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
            return size() > KEPT;
        }
    };
    private final Received received = new Received();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;

    TwilioStub(String accountSid, String authToken) {
        this.accountSid = accountSid;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
    }

    /** The account SID it accepts (with its auth token); its messages are under {@code /Accounts/{sid}}. */
    public String accountSid() {
        return accountSid;
    }

    /** The next {@code times} requests answer {@code status}: 429 (error 20429), 500 (20500) or 503 (20503). */
    public void failNext(int status, int times) {
        failStatus = status;
        failures.set(times);
    }

    /** Messages to {@code number} (E.164) are refused with error 21610, as after the recipient replied STOP. */
    public void optOut(String number) {
        optedOut.add(number);
    }

    /** Lets messages to {@code number} through again, as after the recipient replied START. */
    public void optIn(String number) {
        optedOut.remove(number);
    }

    /** A message as the API shows it, or null when the stand-in does not have it (or no longer keeps it). */
    public synchronized JsonNode message(String sid) {
        ObjectNode m = messages.get(sid);
        return m == null ? null : m.deepCopy();
    }

    /** Moves a message on as the carrier would ({@code sent}, {@code delivered}, {@code undelivered}…). */
    public synchronized void setStatus(String sid, String status) {
        ObjectNode m = messages.get(sid);
        if (m != null) {
            m.put("status", status).put("date_updated", now());
        }
    }

    /** What it received, oldest first: method, path, the form as an object, the answer's status and body. */
    public ArrayNode received() {
        return received.list();
    }

    Received log() {
        return received;
    }

    void handle(HttpExchange exchange) throws IOException {
        byte[] body = body(exchange);
        Map<String, String> form = form(body);
        ObjectNode parsed = JSON.createObjectNode();
        form.forEach(parsed::put);
        received.arrived(exchange, body.length == 0 ? null : parsed);
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            int status = failStatus;
            respond(exchange, status, status == 429 ? Map.of("Retry-After", "1") : Map.of(), switch (status) {
                case 429 -> error(20429, "Too Many Requests", 429);
                case 503 -> error(20503, "Service Unavailable", 503);
                default -> error(20500, "Internal Server Error", status);
            });
            return;
        }
        if (!authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, Map.of("WWW-Authenticate", "Basic realm=\"Twilio API\""),
                    error(20003, "Authenticate", 401));
            return;
        }
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Matcher all = MESSAGES.matcher(path);
        Matcher one = MESSAGE.matcher(path);
        Matcher matched = all.matches() ? all : one.matches() ? one : null;
        if (matched == null || !matched.group(1).equals(accountSid)) {
            respond(exchange, 404, Map.of(), notFound(path));
        } else if (matched == all && method.equals("POST")) {
            send(exchange, form);
        } else if (matched == one && method.equals("GET")) {
            JsonNode m = message(one.group(2));
            respond(exchange, m == null ? 404 : 200, Map.of(), m == null ? notFound(path) : JSON.writeValueAsBytes(m));
        } else {
            respond(exchange, 405, Map.of(), error(20004, "Method not allowed", 405));
        }
    }

    private void send(HttpExchange exchange, Map<String, String> form) throws IOException {
        String to = form.getOrDefault("To", "");
        String from = form.get("From");
        String service = form.get("MessagingServiceSid");
        String text = form.getOrDefault("Body", "");
        byte[] refused = null;
        if (to.isBlank()) {
            refused = error(21604, "A 'To' phone number is required.", 400);
        } else if ((from == null || from.isBlank()) && (service == null || service.isBlank())) {
            refused = error(21603, "A 'From' phone number is required.", 400);
        } else if (!E164.matcher(to).matches()) {
            refused = error(21211, "The 'To' number " + to + " is not a valid phone number.", 400);
        } else if (from != null && !from.isBlank() && !SENDER.matcher(from).matches()) {
            refused = error(21212, "The 'From' number " + from + " is not a valid phone number, shortcode, or "
                    + "alphanumeric sender ID.", 400);
        } else if (text.isEmpty() && !form.containsKey("MediaUrl")) {
            refused = error(21602, "Message body is required.", 400);
        } else if (optedOut.contains(to)) {
            refused = error(21610, "Attempt to send to unsubscribed recipient", 400);
        }
        if (refused != null) {
            respond(exchange, 400, Map.of(), refused);
            return;
        }
        String sid = "SM" + hex32();
        String now = now();
        String uri = "/2010-04-01/Accounts/" + accountSid + "/Messages/" + sid + ".json";
        ObjectNode m = JSON.createObjectNode().put("account_sid", accountSid).put("api_version", "2010-04-01")
                .put("body", text).put("date_created", now).putNull("date_sent").put("date_updated", now)
                .put("direction", "outbound-api").putNull("error_code").putNull("error_message")
                .put("from", from == null || from.isBlank() ? null : from).put("messaging_service_sid", service)
                .put("num_media", form.containsKey("MediaUrl") ? "1" : "0")
                .put("num_segments", String.valueOf(segments(text))).putNull("price").put("price_unit", "USD")
                .put("sid", sid).put("status", service != null && !service.isBlank() ? "accepted" : "queued")
                .put("to", to).put("uri", uri);
        m.putObject("subresource_uris").put("media", uri.replace(".json", "/Media.json"))
                .put("feedback", uri.replace(".json", "/Feedback.json"));
        if (form.containsKey("StatusCallback")) {
            // not part of Twilio's resource: kept so a test sees where the status would have been posted
            m.put("status_callback", form.get("StatusCallback"));
        }
        synchronized (this) {
            messages.put(sid, m);
        }
        respond(exchange, 201, Map.of(), JSON.writeValueAsBytes(m));
    }

    /**
     * How many SMS segments Twilio bills {@code text} as: in GSM-7 (extension characters taking two septets) up to 160
     * in one, else 153 a segment; otherwise in UCS-2 up to 70 UTF-16 units in one, else 67 a segment.
     */
    static int segments(String text) {
        int septets = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (GSM_BASIC.indexOf(c) >= 0) {
                septets++;
            } else if (GSM_EXTENDED.indexOf(c) >= 0) {
                septets += 2;
            } else {
                septets = -1;
                break;
            }
        }
        if (septets >= 0) {
            return septets <= 160 ? 1 : (septets + 152) / 153;
        }
        return text.length() <= 70 ? 1 : (text.length() + 66) / 67;
    }

    private static byte[] notFound(String path) {
        return error(20404, "The requested resource " + path.substring("/twilio".length()) + " was not found", 404);
    }

    private static byte[] error(int code, String message, int status) {
        try {
            return JSON.writeValueAsBytes(JSON.createObjectNode().put("code", code).put("message", message)
                    .put("more_info", "https://www.twilio.com/docs/errors/" + code).put("status", status));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex32() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String now() {
        return RFC_2822.format(ZonedDateTime.now(ZoneOffset.UTC));
    }
}

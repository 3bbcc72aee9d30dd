package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;
import static dev.rapport.stubs.StubServer.bearer;
import static dev.rapport.stubs.StubServer.body;
import static dev.rapport.stubs.StubServer.respond;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
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
 * A stand-in of Meta's WhatsApp Cloud API, as documented at developers.facebook.com/docs/whatsapp/cloud-api:
 * {@code POST /v{NN.N}/{phone-number-id}/messages} (any Graph API version) with a bearer access token and
 * {@code {"messaging_product":"whatsapp","to":…,"type":"text","text":{"body":…}}} (or another type with its object,
 * such as {@code template}), answered {@code {"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],
 * "messages":[{"id":"wamid.…"}]}}.
 *
 * <p>Refusals are Graph API errors, {@code {"error":{"message","type","code","error_data","fbtrace_id"}}}: 401 code 190
 * for a missing or wrong token, 400 code 100 for a phone number id other than the stand-in's or an invalid parameter,
 * 131008 for a missing one, 131026 {@code Message undeliverable} for a number a test marked ({@link #undeliverable};
 * Meta may also report it later by webhook, which the stand-in does not send). A test makes the next requests fail
 * ({@link #failNext}): 429 code 130429 (throughput reached), 500 code 131000, 503 code 2.
 */
public final class WhatsappStub {

    private static final Pattern MESSAGES = Pattern.compile("/whatsapp/v\\d+\\.\\d+/([^/]+)/messages");
    private static final Set<String> TYPES = Set.of("text", "template", "image", "audio", "document", "video",
            "sticker", "location", "contacts", "interactive", "reaction");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token;
    private final String phoneNumberId;
    private final Set<String> undeliverable = ConcurrentHashMap.newKeySet();
    private final Received received = new Received();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;

    WhatsappStub(String token, String phoneNumberId) {
        this.token = token;
        this.phoneNumberId = phoneNumberId;
    }

    /** The business phone number id it sends from: its API is at {@code /whatsapp/v21.0/{id}/messages}. */
    public String phoneNumberId() {
        return phoneNumberId;
    }

    /** The next {@code times} requests answer {@code status}: 429 (code 130429), 500 (131000) or 503 (code 2). */
    public void failNext(int status, int times) {
        failStatus = status;
        failures.set(times);
    }

    /** Messages to {@code number} (with or without the {@code +}) are refused with code 131026. */
    public void undeliverable(String number) {
        undeliverable.add(waId(number));
    }

    /** What it received, oldest first: method, path, the JSON body, the answer's status and body. */
    public ArrayNode received() {
        return received.list();
    }

    Received log() {
        return received;
    }

    void handle(HttpExchange exchange) throws IOException {
        byte[] body = body(exchange);
        JsonNode request;
        try {
            request = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            request = JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
        received.arrived(exchange, request);
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            int status = failStatus;
            switch (status) {
                case 429 -> refuse(exchange, 429, 130429, "Rate limit hit",
                        "Cloud API message throughput has been reached.");
                case 503 -> refuse(exchange, 503, 2, "Service temporarily unavailable",
                        "The service is temporarily unavailable.");
                default -> refuse(exchange, status, 131000, "Something went wrong",
                        "Message failed to send because of an unknown error.");
            }
            return;
        }
        if (!token.equals(bearer(exchange))) {
            ObjectNode e = JSON.createObjectNode();
            e.putObject("error").put("message", "Invalid OAuth access token - Cannot parse access token")
                    .put("type", "OAuthException").put("code", 190).put("fbtrace_id", traceId());
            respond(exchange, 401, Map.of("WWW-Authenticate", "OAuth \"Facebook Platform\" \"invalid_token\" "
                    + "\"Invalid OAuth access token - Cannot parse access token\""), JSON.writeValueAsBytes(e));
            return;
        }
        Matcher m = MESSAGES.matcher(exchange.getRequestURI().getPath());
        if (!m.matches() || !exchange.getRequestMethod().equals("POST") || !m.group(1).equals(phoneNumberId)) {
            String id = m.matches() ? m.group(1) : exchange.getRequestURI().getPath();
            ObjectNode e = JSON.createObjectNode();
            e.putObject("error").put("message", "Unsupported " + exchange.getRequestMethod().toLowerCase(Locale.ROOT)
                    + " request. Object with ID '" + id + "' does not exist, cannot be loaded "
                    + "due to missing permissions, or does not support this operation.")
                    .put("type", "GraphMethodException").put("code", 100).put("error_subcode", 33)
                    .put("fbtrace_id", traceId());
            respond(exchange, 400, Map.of(), JSON.writeValueAsBytes(e));
            return;
        }
        send(exchange, request);
    }

    private void send(HttpExchange exchange, JsonNode request) throws IOException {
        if (request == null || !request.isObject()) {
            refuse(exchange, 400, 100, "Invalid parameter", "The request body is not a JSON object.");
            return;
        }
        String to = request.path("to").asText("");
        String type = request.path("type").asText("text");
        if (!request.path("messaging_product").asText("").equals("whatsapp")) {
            refuse(exchange, 400, 100, "Invalid parameter", "The parameter messaging_product is required and must "
                    + "be whatsapp.");
        } else if (to.isBlank()) {
            refuse(exchange, 400, 131008, "Required parameter is missing", "The parameter to is required.");
        } else if (!to.matches("\\+?\\d{6,15}")) {
            refuse(exchange, 400, 100, "Invalid parameter", "Param to must be a phone number.");
        } else if (!TYPES.contains(type)) {
            refuse(exchange, 400, 100, "Invalid parameter", "Param type must be one of " + TYPES + ".");
        } else if (!request.path(type).isObject()) {
            refuse(exchange, 400, 131008, "Required parameter is missing", "The parameter " + type
                    + " is required.");
        } else if (type.equals("text") && request.path("text").path("body").asText("").isBlank()) {
            refuse(exchange, 400, 131008, "Required parameter is missing", "The parameter text['body'] is "
                    + "required.");
        } else if (type.equals("text") && request.path("text").path("body").asText().length() > 4096) {
            refuse(exchange, 400, 100, "Invalid parameter", "Param text['body'] must be at most 4096 characters "
                    + "long.");
        } else if (type.equals("template") && (request.path("template").path("name").asText("").isBlank()
                || request.path("template").path("language").path("code").asText("").isBlank())) {
            refuse(exchange, 400, 131008, "Required parameter is missing", "The parameters template['name'] and "
                    + "template['language']['code'] are required.");
        } else if (undeliverable.contains(waId(to))) {
            refuse(exchange, 400, 131026, "Message undeliverable", "Message Undeliverable.");
        } else {
            ObjectNode ok = JSON.createObjectNode().put("messaging_product", "whatsapp");
            ok.putArray("contacts").addObject().put("input", to).put("wa_id", waId(to));
            ObjectNode message = ok.putArray("messages").addObject().put("id", messageId());
            if (type.equals("template")) {
                message.put("message_status", "accepted");
            }
            respond(exchange, 200, Map.of(), JSON.writeValueAsBytes(ok));
        }
    }

    private static void refuse(HttpExchange exchange, int status, int code, String title, String details)
            throws IOException {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode error = e.putObject("error").put("message", "(#" + code + ") " + title)
                .put("type", "OAuthException").put("code", code);
        error.putObject("error_data").put("messaging_product", "whatsapp").put("details", details);
        error.put("fbtrace_id", traceId());
        respond(exchange, status, Map.of(), JSON.writeValueAsBytes(e));
    }

    private static String waId(String number) {
        return number.startsWith("+") ? number.substring(1) : number;
    }

    private static String messageId() {
        byte[] b = new byte[27];
        RANDOM.nextBytes(b);
        return "wamid.HBgL" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String traceId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "A" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}

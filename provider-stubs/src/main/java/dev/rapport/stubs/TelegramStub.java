package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;
import static dev.rapport.stubs.StubServer.body;
import static dev.rapport.stubs.StubServer.form;
import static dev.rapport.stubs.StubServer.respond;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A stand-in of Telegram's Bot API, as documented at core.telegram.org/bots/api: {@code POST /bot{token}/sendMessage}
 * with {@code chat_id}, {@code text} and optionally {@code parse_mode}, as JSON, a form or a query, answered
 * {@code {"ok":true,"result":Message}}, and {@code getMe}. Every answer is the Bot API's envelope; a refusal is
 * {@code {"ok":false,"error_code":…,"description":…}}: 401 {@code Unauthorized} for a token other than the bot's,
 * 400 for an empty or over-long text, a missing chat or an unknown {@code parse_mode}, 403 {@code Forbidden: bot was
 * blocked by the user} for a chat a test marked ({@link #block}), 404 for another method. A test turns on flood
 * control for the next requests ({@link #failNext}): 429 with {@code parameters.retry_after}.
 */
public final class TelegramStub {

    private static final Pattern METHOD = Pattern.compile("/telegram/bot([^/]+)/([A-Za-z]+)");
    private static final Set<String> PARSE_MODES = Set.of("MarkdownV2", "Markdown", "HTML");
    private static final int MAX_TEXT = 4096;

    private final String token;
    private final long botId;
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();
    private final Received received = new Received();
    /** Message ids go on from the time it started, so a restarted stand-in does not repeat the ids a service kept. */
    private final AtomicLong messageIds = new AtomicLong(System.currentTimeMillis() / 1000 % 1_000_000_000L);
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;
    private volatile int retryAfter = 5;

    TelegramStub(String token) {
        this.token = token;
        String id = token.contains(":") ? token.substring(0, token.indexOf(':')) : "";
        this.botId = id.matches("\\d{1,18}") ? Long.parseLong(id) : 1L;
    }

    /** The bot token it accepts: its API is at {@code /telegram/bot{token}/…}. */
    public String token() {
        return token;
    }

    /**
     * The next {@code times} requests answer {@code status}: 429 is Telegram's flood control ({@code Too Many
     * Requests: retry after 5}, see {@link #retryAfter}), others a plain error (502 {@code Bad Gateway}).
     */
    public void failNext(int status, int times) {
        failStatus = status;
        failures.set(times);
    }

    /** How many seconds flood control tells the bot to wait ({@code parameters.retry_after}; 5 unless set). */
    public void retryAfter(int seconds) {
        retryAfter = seconds;
    }

    /** Messages to {@code chatId} answer 403, as after the user blocked the bot. */
    public void block(String chatId) {
        blocked.add(chatId);
    }

    /** Lets messages to {@code chatId} through again, as after the user restarted the bot. */
    public void unblock(String chatId) {
        blocked.remove(chatId);
    }

    /** What it received, oldest first: method, path, the parameters as an object, the answer's status and body. */
    public ArrayNode received() {
        return received.list();
    }

    Received log() {
        return received;
    }

    void handle(HttpExchange exchange) throws IOException {
        byte[] body = body(exchange);
        ObjectNode params = params(exchange, body);
        received.arrived(exchange, params);
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            if (failStatus == 429) {
                ObjectNode e = error(429, "Too Many Requests: retry after " + retryAfter);
                e.putObject("parameters").put("retry_after", retryAfter);
                respond(exchange, 429, Map.of("Retry-After", String.valueOf(retryAfter)), JSON.writeValueAsBytes(e));
            } else {
                answer(exchange, failStatus, error(failStatus, failStatus == 502 ? "Bad Gateway"
                        : "Internal Server Error"));
            }
            return;
        }
        Matcher m = METHOD.matcher(exchange.getRequestURI().getPath());
        if (!m.matches()) {
            answer(exchange, 404, error(404, "Not Found"));
        } else if (!m.group(1).equals(token)) {
            answer(exchange, 401, error(401, "Unauthorized"));
        } else if (m.group(2).equalsIgnoreCase("getMe")) {
            ObjectNode ok = JSON.createObjectNode().put("ok", true);
            ok.set("result", bot().put("can_join_groups", true).put("can_read_all_group_messages", false)
                    .put("supports_inline_queries", false));
            answer(exchange, 200, ok);
        } else if (m.group(2).equalsIgnoreCase("sendMessage")) {
            sendMessage(exchange, params);
        } else {
            answer(exchange, 404, error(404, "Not Found"));
        }
    }

    private void sendMessage(HttpExchange exchange, ObjectNode params) throws IOException {
        String chatId = params.path("chat_id").asText("");
        String text = params.path("text").asText("");
        String parseMode = params.path("parse_mode").asText("");
        if (chatId.isEmpty()) {
            answer(exchange, 400, error(400, "Bad Request: chat_id is empty"));
        } else if (!chatId.matches("-?\\d{1,20}|@[A-Za-z0-9_]{4,32}")) {
            answer(exchange, 400, error(400, "Bad Request: chat not found"));
        } else if (text.isBlank()) {
            answer(exchange, 400, error(400, "Bad Request: message text is empty"));
        } else if (text.length() > MAX_TEXT) {
            answer(exchange, 400, error(400, "Bad Request: message is too long"));
        } else if (!parseMode.isEmpty() && !PARSE_MODES.contains(parseMode)) {
            answer(exchange, 400, error(400, "Bad Request: unsupported parse_mode"));
        } else if (blocked.contains(chatId)) {
            answer(exchange, 403, error(403, "Forbidden: bot was blocked by the user"));
        } else {
            ObjectNode message = JSON.createObjectNode().put("message_id", messageIds.incrementAndGet());
            message.set("from", bot());
            ObjectNode chat = message.putObject("chat");
            if (chatId.startsWith("@")) {
                chat.put("id", -1_000_000_000_000L - Math.abs((long) chatId.hashCode())).put("title", chatId)
                        .put("username", chatId.substring(1)).put("type", "channel");
            } else {
                long id = Long.parseLong(chatId);
                chat.put("id", id);
                if (id > 0) {
                    chat.put("first_name", "Chat " + id).put("type", "private");
                } else {
                    chat.put("title", "Chat " + id).put("type", chatId.startsWith("-100") ? "supergroup" : "group");
                }
            }
            message.put("date", Instant.now().getEpochSecond()).put("text", text);
            ObjectNode ok = JSON.createObjectNode().put("ok", true);
            ok.set("result", message);
            answer(exchange, 200, ok);
        }
    }

    private ObjectNode bot() {
        return JSON.createObjectNode().put("id", botId).put("is_bot", true).put("first_name", "Rapport")
                .put("username", "rapport_stub_bot");
    }

    /** The method's parameters, from the query and from a JSON or form body, as Telegram accepts them. */
    private static ObjectNode params(HttpExchange exchange, byte[] body) {
        ObjectNode params = JSON.createObjectNode();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            form(query.getBytes(StandardCharsets.UTF_8)).forEach(params::put);
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (body.length == 0) {
            return params;
        }
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            try {
                JsonNode json = JSON.readTree(body);
                if (json != null && json.isObject()) {
                    params.setAll((ObjectNode) json);
                }
            } catch (IOException e) {
                params.put("_unreadable", new String(body, StandardCharsets.UTF_8));
            }
        } else {
            form(body).forEach(params::put);
        }
        return params;
    }

    private static ObjectNode error(int code, String description) {
        return JSON.createObjectNode().put("ok", false).put("error_code", code).put("description", description);
    }

    private static void answer(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        respond(exchange, status, Map.of(), JSON.writeValueAsBytes(body));
    }
}

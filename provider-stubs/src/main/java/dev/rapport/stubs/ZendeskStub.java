package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;
import static dev.rapport.stubs.StubServer.body;
import static dev.rapport.stubs.StubServer.respond;
import static dev.rapport.stubs.StubServer.utf8;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A stand-in of Zendesk's Support (ticketing) API, as documented at developer.zendesk.com/api-reference/ticketing:
 * {@code POST /api/v2/tickets} (with the {@code Idempotency-Key} header: a repeat answers the first result with
 * {@code x-idempotency-lookup: hit}, the same key with another body {@code 400 IdempotentRequestError}),
 * {@code GET /api/v2/tickets/{id}} ({@code 404 RecordNotFound} for a ticket it does not have),
 * {@code PUT /api/v2/tickets/{id}}, {@code DELETE /api/v2/tickets/{id}} and {@code GET /api/v2/tickets/{id}/comments};
 * every path also with Zendesk's {@code .json} suffix. Requests authenticate with an API token, HTTP Basic
 * {@code {email}/token:{token}}; others get {@code 401 Couldn't authenticate you}. A test can make the next requests
 * fail ({@link #failNext}) the way Zendesk does when busy: 429 with {@code Retry-After}, or 503.
 */
public final class ZendeskStub {

    private static final Pattern TICKET = Pattern.compile("/zendesk/api/v2/tickets/(\\d+)(/comments)?(?:\\.json)?");
    private static final Pattern TICKETS = Pattern.compile("/zendesk/api/v2/tickets(?:\\.json)?");
    private static final Set<String> STATUSES = Set.of("new", "open", "pending", "hold", "solved", "closed");

    private final String authorization;
    private final Map<Long, ObjectNode> tickets = new LinkedHashMap<>();
    private final Map<Long, ArrayNode> comments = new LinkedHashMap<>();
    private final Map<String, Long> users = new LinkedHashMap<>();
    private final Map<String, Remembered> idempotent = new LinkedHashMap<>();
    private final Received received = new Received();
    /** Ticket ids go on from the time it started, so a restarted stand-in never repeats one a database kept. */
    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis());
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;

    private record Remembered(String digest, int status, byte[] body) {
    }

    ZendeskStub(String user, String token) {
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + "/token:" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** The next {@code times} requests answer {@code status} (429 comes with {@code Retry-After: 1}). */
    public void failNext(int status, int times) {
        failStatus = status;
        failures.set(times);
    }

    /** A ticket as the API shows it, or null when the stand-in does not have it. */
    public synchronized JsonNode ticket(long id) {
        ObjectNode t = tickets.get(id);
        return t == null ? null : t.deepCopy();
    }

    /** Every ticket it has, oldest first. */
    public synchronized List<JsonNode> tickets() {
        return new ArrayList<>(tickets.values().stream().map(t -> (JsonNode) t.deepCopy()).toList());
    }

    /** The comments of a ticket, oldest first (the first is the ticket's description). */
    public synchronized List<String> comments(long id) {
        List<String> out = new ArrayList<>();
        comments.getOrDefault(id, JSON.createArrayNode()).forEach(c -> out.add(c.path("body").asText()));
        return out;
    }

    /** Sets a ticket's status as an agent would in Zendesk (no webhook is sent). */
    public synchronized void setStatus(long id, String status) {
        ObjectNode t = tickets.get(id);
        if (t != null) {
            t.put("status", status).put("updated_at", now());
        }
    }

    /** Makes a ticket as an agent would in Zendesk; answers its id. */
    public synchronized long open(String subject, String status) {
        long id = ids.incrementAndGet();
        tickets.put(id, ticketNode(id, subject, subject, status, 0, null, JSON.createArrayNode()));
        comments.put(id, JSON.createArrayNode());
        return id;
    }

    /** Removes a ticket, as deleting it in Zendesk does: the API answers 404 for it afterwards. */
    public synchronized void delete(long id) {
        tickets.remove(id);
        comments.remove(id);
    }

    /** What it received, oldest first: method, path, body (as sent), idempotency key and the answer's status. */
    public ArrayNode received() {
        return received.list();
    }

    Received log() {
        return received;
    }

    void handle(HttpExchange exchange) throws IOException {
        byte[] body = body(exchange);
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        // the body stays the text Zendesk was sent (the system tests search it for a conversation's words)
        ObjectNode r = received.arrived(exchange, body.length > 0
                ? JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8)) : null);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (key != null) {
            r.put("idempotencyKey", key);
        }
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            Map<String, String> headers = failStatus == 429 ? Map.of("Retry-After", "1") : Map.of();
            respond(exchange, failStatus, headers, utf8(failStatus == 429
                    ? "{\"error\":\"APIRateLimitExceeded\",\"description\":\"Rate limit exceeded\"}"
                    : "{\"error\":\"ServiceUnavailable\",\"description\":\"Try again later\"}"));
            return;
        }
        if (!authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, Map.of(), utf8("{\"error\":\"Couldn't authenticate you\"}"));
            return;
        }
        Matcher one = TICKET.matcher(path);
        if (TICKETS.matcher(path).matches() && method.equals("POST")) {
            create(exchange, body);
        } else if (one.matches()) {
            long id = Long.parseLong(one.group(1));
            boolean ofComments = one.group(2) != null;
            switch (method) {
                case "GET" -> show(exchange, id, ofComments);
                case "PUT" -> update(exchange, id, body);
                case "DELETE" -> {
                    delete(id);
                    respond(exchange, 204, Map.of(), new byte[0]);
                }
                default -> respond(exchange, 405, Map.of(), utf8("{\"error\":\"MethodNotAllowed\"}"));
            }
        } else {
            respond(exchange, 404, Map.of(), utf8("{\"error\":\"InvalidEndpoint\",\"description\":\"Not found\"}"));
        }
    }

    private void create(HttpExchange exchange, byte[] body) throws IOException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        String digest = digest(body);
        synchronized (this) {
            Remembered before = key == null ? null : idempotent.get(key);
            if (before != null) {
                if (!before.digest().equals(digest)) {
                    respond(exchange, 400, Map.of(), utf8("{\"error\":\"IdempotentRequestError\",\"description\":"
                            + "\"The request body does not match the original request with this idempotency key\"}"));
                } else {
                    respond(exchange, before.status(), Map.of("x-idempotency-lookup", "hit"), before.body());
                }
                return;
            }
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (IOException e) {
                respond(exchange, 400, Map.of(), utf8("{\"error\":\"Unprocessable Entity\","
                        + "\"description\":\"The request body is not valid JSON\"}"));
                return;
            }
            JsonNode t = root == null ? null : root.path("ticket");
            String comment = t == null ? "" : t.path("comment").path("body").asText("");
            if (comment.isBlank()) {
                respond(exchange, 422, Map.of(), utf8("{\"error\":\"RecordInvalid\",\"description\":\"Record "
                        + "validation errors\",\"details\":{\"description\":[{\"description\":\"Description: cannot "
                        + "be blank\",\"error\":\"BlankValue\"}]}}"));
                return;
            }
            long id = ids.incrementAndGet();
            JsonNode requester = t.path("requester");
            String who = requester.path("email").asText(requester.path("name").asText("anonymous"));
            long requesterId = users.computeIfAbsent(who, k -> 9_000_000L + users.size());
            String subject = t.path("subject").asText(comment.length() > 60 ? comment.substring(0, 60) : comment);
            ObjectNode ticket = ticketNode(id, subject, comment, t.path("status").asText("new"), requesterId,
                    t.path("external_id").asText(null), t.path("tags").isArray() ? (ArrayNode) t.path("tags")
                            : JSON.createArrayNode());
            if (t.hasNonNull("priority")) {
                ticket.put("priority", t.path("priority").asText());
            }
            tickets.put(id, ticket);
            ArrayNode list = JSON.createArrayNode();
            list.addObject().put("id", id * 10).put("body", comment).put("public", t.path("comment")
                    .path("public").asBoolean(true)).put("author_id", requesterId).put("created_at", now());
            comments.put(id, list);
            ObjectNode answer = JSON.createObjectNode();
            answer.set("ticket", ticket.deepCopy());
            byte[] out = JSON.writeValueAsBytes(answer);
            if (key != null) {
                idempotent.put(key, new Remembered(digest, 201, out));
            }
            respond(exchange, 201, key == null ? Map.of("Location", ticket.path("url").asText())
                    : Map.of("Location", ticket.path("url").asText(), "x-idempotency-lookup", "miss"), out);
        }
    }

    private synchronized void show(HttpExchange exchange, long id, boolean ofComments) throws IOException {
        ObjectNode t = tickets.get(id);
        if (t == null) {
            respond(exchange, 404, Map.of(), utf8("{\"error\":\"RecordNotFound\",\"description\":\"Not found\"}"));
            return;
        }
        ObjectNode answer = JSON.createObjectNode();
        if (ofComments) {
            answer.set("comments", comments.get(id).deepCopy());
            answer.putNull("next_page").putNull("previous_page").put("count", comments.get(id).size());
        } else {
            answer.set("ticket", t.deepCopy());
        }
        respond(exchange, 200, Map.of(), JSON.writeValueAsBytes(answer));
    }

    private synchronized void update(HttpExchange exchange, long id, byte[] body) throws IOException {
        ObjectNode t = tickets.get(id);
        if (t == null) {
            respond(exchange, 404, Map.of(), utf8("{\"error\":\"RecordNotFound\",\"description\":\"Not found\"}"));
            return;
        }
        JsonNode change = JSON.readTree(body).path("ticket");
        String status = change.path("status").asText(null);
        if (status != null && !STATUSES.contains(status)) {
            respond(exchange, 422, Map.of(), utf8("{\"error\":\"RecordInvalid\",\"description\":\"Record validation "
                    + "errors\",\"details\":{\"status\":[{\"description\":\"Status: is not valid\"}]}}"));
            return;
        }
        if (status != null) {
            t.put("status", status);
        }
        if (change.path("comment").hasNonNull("body")) {
            comments.get(id).addObject().put("id", id * 10 + comments.get(id).size())
                    .put("body", change.path("comment").path("body").asText()).put("public", true)
                    .put("created_at", now());
        }
        t.put("updated_at", now());
        ObjectNode answer = JSON.createObjectNode();
        answer.set("ticket", t.deepCopy());
        respond(exchange, 200, Map.of(), JSON.writeValueAsBytes(answer));
    }

    private static ObjectNode ticketNode(long id, String subject, String description, String status, long requesterId,
            String externalId, ArrayNode tags) {
        String now = now();
        ObjectNode t = JSON.createObjectNode().put("url", "https://rapport.zendesk.com/api/v2/tickets/" + id + ".json")
                .put("id", id).put("external_id", externalId).put("created_at", now).put("updated_at", now)
                .putNull("type").put("subject", subject).put("raw_subject", subject).put("description", description)
                .putNull("priority").put("status", status).put("requester_id", requesterId)
                .put("submitter_id", requesterId).put("is_public", true);
        t.set("tags", tags.deepCopy());
        t.putObject("via").put("channel", "api");
        return t;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String digest(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;
import static dev.rapport.stubs.StubServer.bearer;
import static dev.rapport.stubs.StubServer.body;
import static dev.rapport.stubs.StubServer.respond;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A stand-in of SendGrid's v3 Mail Send API, as documented at docs.sendgrid.com/api-reference/mail-send:
 * {@code POST /v3/mail/send} with a bearer API key and the v3 body ({@code personalizations[].to[].email},
 * {@code from.email}, {@code subject}, {@code content[].type/value}, optionally {@code headers}, {@code custom_args},
 * {@code template_id}), answered {@code 202} with no body and the {@code X-Message-Id} header (which
 * {@code /_received} shows beside the request as {@code messageId}).
 *
 * <p>Refusals are SendGrid's {@code {"errors":[{"message","field","help"}]}}: 401 for another key, 400 listing every
 * missing or invalid {@code personalizations}, {@code to}, {@code from}, {@code subject} and {@code content} (a
 * {@code template_id} stands in for the last two, as SendGrid allows), 405 for another method. A test makes the next
 * requests fail ({@link #failNext}): 429 with SendGrid's {@code X-RateLimit-*} headers, or a 5xx.
 */
public final class SendgridStub {

    private static final String PATH = "/sendgrid/v3/mail/send";
    private static final String HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#";
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String apiKey;
    private final Received received = new Received();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;

    SendgridStub(String apiKey) {
        this.apiKey = apiKey;
    }

    /** The next {@code times} requests answer {@code status}: 429 ({@code too many requests}) or a 5xx. */
    public void failNext(int status, int times) {
        failStatus = status;
        failures.set(times);
    }

    /** What it received, oldest first: method, path, the JSON body, the answer's status and {@code messageId}. */
    public ArrayNode received() {
        return received.list();
    }

    Received log() {
        return received;
    }

    void handle(HttpExchange exchange) throws IOException {
        byte[] body = body(exchange);
        JsonNode mail;
        try {
            mail = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            mail = null;
        }
        ObjectNode entry = received.arrived(exchange, mail != null || body.length == 0 ? mail
                : JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8)));
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            int status = failStatus;
            ArrayNode errors = JSON.createArrayNode();
            errors.addObject().putNull("field").put("message", status == 429 ? "too many requests"
                    : "internal server error");
            long reset = Instant.now().getEpochSecond() + 1;
            respond(exchange, status, status == 429 ? Map.of("X-RateLimit-Limit", "600", "X-RateLimit-Remaining", "0",
                    "X-RateLimit-Reset", String.valueOf(reset)) : Map.of(), errors(errors));
            return;
        }
        if (!apiKey.equals(bearer(exchange))) {
            ArrayNode errors = JSON.createArrayNode();
            errors.addObject().put("message", "The provided authorization grant is invalid, expired, or revoked")
                    .putNull("field").putNull("help");
            respond(exchange, 401, Map.of(), errors(errors));
            return;
        }
        if (!exchange.getRequestURI().getPath().equals(PATH)) {
            ArrayNode errors = JSON.createArrayNode();
            errors.addObject().put("message", "resource not found").putNull("field").putNull("help");
            respond(exchange, 404, Map.of(), errors(errors));
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            ArrayNode errors = JSON.createArrayNode();
            errors.addObject().put("message", "method not allowed").putNull("field").putNull("help");
            respond(exchange, 405, Map.of(), errors(errors));
            return;
        }
        ArrayNode errors = mail == null || !mail.isObject() ? badRequest() : validate(mail);
        if (!errors.isEmpty()) {
            respond(exchange, 400, Map.of(), errors(errors));
            return;
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String messageId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        entry.put("messageId", messageId);
        respond(exchange, 202, Map.of("X-Message-Id", messageId), new byte[0]);
    }

    /** Every problem of a v3 mail, in SendGrid's words, in the order SendGrid lists them. */
    private static ArrayNode validate(JsonNode mail) {
        ArrayNode errors = JSON.createArrayNode();
        boolean template = mail.hasNonNull("template_id");
        JsonNode personalizations = mail.path("personalizations");
        boolean everySubject = personalizations.isArray() && !personalizations.isEmpty();
        if (!personalizations.isArray() || personalizations.isEmpty()) {
            add(errors, "The personalizations field is required and must have at least one personalization.",
                    "personalizations", "-Personalizations-Errors");
        } else {
            for (int i = 0; i < personalizations.size(); i++) {
                JsonNode p = personalizations.get(i);
                JsonNode to = p.path("to");
                if (!to.isArray() || to.isEmpty()) {
                    add(errors, "The to array is required for all personalization objects, and must have at least "
                            + "one email object with a valid email address.", "personalizations." + i + ".to",
                            "message.personalizations.to");
                } else {
                    for (int j = 0; j < to.size(); j++) {
                        if (!EMAIL.matcher(to.get(j).path("email").asText("")).matches()) {
                            add(errors, "Does not contain a valid address.", "personalizations." + i + ".to." + j
                                    + ".email", "message.personalizations.to");
                        }
                    }
                }
                everySubject &= !p.path("subject").asText("").isBlank();
            }
        }
        String from = mail.path("from").path("email").asText("");
        if (from.isBlank()) {
            add(errors, "The from object must be provided for every email send. It is an object that requires the "
                    + "email parameter, but may also contain a name parameter.  e.g. {\"email\" : "
                    + "\"example@example.com\"}  or {\"email\" : \"example@example.com\", \"name\" : \"Example "
                    + "Recipient\"}.", "from.email", "message.from");
        } else if (!EMAIL.matcher(from).matches()) {
            add(errors, "The from email does not contain a valid address.", "from.email", "message.from");
        }
        if (mail.path("subject").asText("").isBlank() && !everySubject && !template) {
            add(errors, "The subject is required. You can get around this requirement if you use a template with a "
                    + "subject defined or if every personalization has a subject defined.", "subject",
                    "message.subject");
        }
        JsonNode content = mail.path("content");
        if ((!content.isArray() || content.isEmpty()) && !template) {
            add(errors, "Unless a valid template_id is provided, the content parameter is required. There must be at "
                    + "least one defined content block. We typically suggest both text/plain and text/html blocks "
                    + "are included, but only one block is required.", "content", "message.content");
        } else if (content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                if (content.get(i).path("value").asText("").isEmpty()) {
                    add(errors, "The content value must be a string at least one character in length.", "content."
                            + i + ".value", "message.content.value");
                }
            }
        }
        return errors;
    }

    private static ArrayNode badRequest() {
        ArrayNode errors = JSON.createArrayNode();
        errors.addObject().put("message", "Bad Request").putNull("field").putNull("help");
        return errors;
    }

    private static void add(ArrayNode errors, String message, String field, String help) {
        errors.addObject().put("message", message).put("field", field).put("help", HELP + help);
    }

    private static byte[] errors(ArrayNode errors) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        e.set("errors", errors);
        return JSON.writeValueAsBytes(e);
    }
}

package dev.rapport.desk;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.text.StorableText;

/**
 * Reads a desk webhook's body into a {@link TicketChange}, naming every field at fault. Two shapes are read:
 *
 * <ul>
 * <li>Rapport's ticket document, which the generic webhook sends and which Zendesk triggers and Freshdesk automation
 * rules are set up to send (the service README has the template):
 * {@code {"id", "ticket": {"id", "status", "subject", "updatedAt", "requester": {"email", "phone"}, "reason"},
 * "satisfaction"}};</li>
 * <li>Zendesk's own ticket event subscriptions ({@code "type": "zen:event-type:ticket.…"}), whose {@code detail}
 * names the requester by a Zendesk id only.</li>
 * </ul>
 */
public final class DeskPayloads {

    /** Statuses of an open ticket across desks (Freshdesk's API numbers 2 open and 3 pending included). */
    static final Set<String> OPEN = Set.of("new", "open", "pending", "hold", "on-hold", "on_hold", "on hold",
            "waiting on customer", "waiting on third party", "reopened", "2", "3");
    /** Statuses of a ticket that is done (Freshdesk's 4 resolved and 5 closed included). */
    static final Set<String> DONE = Set.of("solved", "closed", "resolved", "4", "5");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    private DeskPayloads() {
    }

    /** The body is not a ticket change; the fields at fault are named. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<FieldError> errors;

        Invalid(List<FieldError> errors) {
            super(errors.get(0).field() + ": " + errors.get(0).message(), null, false, false);
            this.errors = List.copyOf(errors);
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /** Reads a body of a desk. */
    public static TicketChange read(String desk, byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new Invalid(List.of(new FieldError("body", "is not JSON")));
        }
        if (root == null || !root.isObject()) {
            throw new Invalid(List.of(new FieldError("body", "must be a JSON object")));
        }
        List<FieldError> errors = new ArrayList<>();
        String deliveryId = text(root, "id", "id", 128, errors, true);
        if (deliveryId == null) {
            deliveryId = digest(body);
        }
        boolean subscription = root.path("type").asText("").startsWith("zen:event-type:ticket.");
        JsonNode ticket = subscription ? root.path("detail") : root.path("ticket");
        String prefix = subscription ? "detail." : "ticket.";
        if (!ticket.isObject()) {
            throw new Invalid(List.of(new FieldError(subscription ? "detail" : "ticket", "is required: an object")));
        }
        String id = text(ticket, "id", prefix + "id", 128, errors, true);
        if (id == null && errors.stream().noneMatch(e -> e.field().equals(prefix + "id"))) {
            errors.add(new FieldError(prefix + "id", "is required"));
        }
        String status = text(ticket, "status", prefix + "status", 64, errors, true);
        boolean open = false;
        if (status == null) {
            if (errors.stream().noneMatch(e -> e.field().equals(prefix + "status"))) {
                errors.add(new FieldError(prefix + "status", "is required"));
            }
        } else {
            status = status.toLowerCase(Locale.ROOT);
            if (OPEN.contains(status)) {
                open = true;
            } else if (!DONE.contains(status)) {
                errors.add(new FieldError(prefix + "status", "is not a ticket status Rapport knows (open, pending, "
                        + "hold, solved, closed, …)"));
            }
        }
        String subject = free(ticket, "subject", prefix + "subject", 500, errors);
        String reason = subscription ? null : free(ticket, "reason", prefix + "reason", 500, errors);
        String email = null;
        String phone = null;
        if (!subscription) {
            JsonNode requester = ticket.path("requester");
            email = text(requester, "email", prefix + "requester.email", 256, errors, true);
            phone = text(requester, "phone", prefix + "requester.phone", 64, errors, true);
        }
        String when = text(ticket, subscription ? "updated_at" : "updatedAt", prefix
                + (subscription ? "updated_at" : "updatedAt"), 64, errors, true);
        Instant at = null;
        if (when != null) {
            try {
                at = OffsetDateTime.parse(when).toInstant();
            } catch (DateTimeException e) {
                errors.add(new FieldError(prefix + (subscription ? "updated_at" : "updatedAt"),
                        "must be an ISO-8601 time with offset"));
            }
        }
        String satisfaction = satisfaction(root.path("satisfaction"));
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        return new TicketChange(desk, deliveryId, id, open, status, subject, email, phone, at, satisfaction, reason);
    }

    /** A rating: Zendesk's good and bad (offered and unoffered mean none), or good, ok, bad. */
    private static String satisfaction(JsonNode node) {
        String rating = node.isTextual() ? node.asText() : node.path("score").asText(node.path("current_rating")
                .asText(""));
        return switch (rating.strip().toLowerCase(Locale.ROOT)) {
            case "good", "good_with_comment", "satisfied" -> "good";
            case "ok", "neutral" -> "ok";
            case "bad", "bad_with_comment", "unsatisfied" -> "bad";
            default -> null;
        };
    }

    /** A name-like text field (an id, an address): absent or blank is null, otherwise it must be storable. */
    private static String text(JsonNode node, String name, String field, int max, List<FieldError> errors,
            boolean numbers) {
        JsonNode v = node.path(name);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !(numbers && v.isIntegralNumber())) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        String s = v.asText().strip();
        if (s.isEmpty()) {
            return null;
        }
        String problem = StorableText.nameProblem(s, max);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
            return null;
        }
        return s;
    }

    private static String free(JsonNode node, String name, String field, int max, List<FieldError> errors) {
        JsonNode v = node.path(name);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        String s = v.asText().strip();
        String problem = StorableText.textProblem(s, max);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
            return null;
        }
        return s.isEmpty() ? null : s;
    }

    private static String digest(byte[] body) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

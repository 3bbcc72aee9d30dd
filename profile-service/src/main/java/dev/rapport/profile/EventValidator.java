package dev.rapport.profile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.text.StorableText;
import dev.rapport.common.vocabulary.Channel;

/**
 * Checks an event against the intake rules of docs/api.md: {@code id}, {@code type}, {@code occurredAt} and at least
 * one identifier are required; the channel, if given, is one of the vocabulary; the time has an offset and is not far
 * in the future; identifiers are normalised. Unknown fields and unknown identifier kinds are ignored.
 */
public final class EventValidator {

    /** The earliest time an event may have happened. */
    public static final Instant EARLIEST = Instant.EPOCH;
    /** Longest event id. */
    public static final int MAX_ID_LENGTH = 128;
    /** Event types: lower-case words joined by {@code _}, {@code .} or {@code -}. */
    public static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_.\\-]{0,63}");

    private final IdentifierNormalizer normalizer;
    private final Duration maxFutureSkew;
    private final Clock clock;

    public EventValidator(IdentifierNormalizer normalizer, Duration maxFutureSkew, Clock clock) {
        this.normalizer = normalizer;
        this.maxFutureSkew = maxFutureSkew;
        this.clock = clock;
    }

    /** The outcome: a valid event or the fields at fault. */
    public sealed interface Result permits Valid, Invalid {
    }

    /** A valid event. */
    public record Valid(EventInput event) implements Result {
    }

    /** The fields at fault, named relative to the event ({@code identifiers.email}). */
    public record Invalid(List<FieldError> errors) implements Result {
    }

    /** Traits and properties hold nothing the database would refuse: one bad value is this event's fault alone. */
    private static void storable(String field, ObjectNode node, Set<String> badFields, List<FieldError> errors) {
        if (node != null && !badFields.contains(field)) {
            FieldError problem = StorableText.jsonProblem(field, node);
            if (problem != null) {
                errors.add(problem);
            }
        }
    }

    public Result validate(RawEvent raw) {
        List<FieldError> errors = new ArrayList<>(raw.typeErrors());
        Set<String> badFields = new java.util.HashSet<>();
        raw.typeErrors().forEach(e -> badFields.add(e.field()));

        String id = raw.id();
        if (!badFields.contains("id")) {
            if (id == null || id.isBlank()) {
                errors.add(new FieldError("id", "is required"));
            } else if (StorableText.nameProblem(id, MAX_ID_LENGTH) != null) {
                errors.add(new FieldError("id", StorableText.nameProblem(id, MAX_ID_LENGTH)));
            } else if (id.startsWith(EventTypes.SYSTEM_ID_PREFIX)) {
                errors.add(new FieldError("id", "must not start with '" + EventTypes.SYSTEM_ID_PREFIX
                        + "': such ids belong to the events Rapport records itself"));
            }
        }

        String type = raw.type();
        if (!badFields.contains("type")) {
            if (type == null || type.isBlank()) {
                errors.add(new FieldError("type", "is required"));
            } else if (!TYPE.matcher(type).matches()) {
                errors.add(new FieldError("type", "must be lower-case letters, digits, '_', '.' or '-', at most 64"));
            } else if (EventTypes.SYSTEM.contains(type)) {
                errors.add(new FieldError("type", "is recorded by Rapport itself and cannot be posted"));
            }
        }

        Channel channel = null;
        if (raw.channel() != null && !badFields.contains("channel")) {
            Optional<Channel> known = Channel.fromApiName(raw.channel());
            if (known.isEmpty()) {
                errors.add(new FieldError("channel", "must be one of " + Channel.apiNames()));
            } else {
                channel = known.get();
            }
        }

        Instant occurredAt = null;
        if (!badFields.contains("occurredAt")) {
            if (raw.occurredAt() == null || raw.occurredAt().isBlank()) {
                errors.add(new FieldError("occurredAt", "is required"));
            } else {
                try {
                    occurredAt = OffsetDateTime.parse(raw.occurredAt()).toInstant();
                    if (occurredAt.isBefore(EARLIEST)) {
                        errors.add(new FieldError("occurredAt", "is before " + EARLIEST + ": not a time of an event"));
                    } else if (occurredAt.isAfter(clock.instant().plus(maxFutureSkew))) {
                        errors.add(new FieldError("occurredAt",
                                "is more than " + maxFutureSkew.toMinutes() + " minutes in the future"));
                    }
                } catch (DateTimeParseException e) {
                    errors.add(new FieldError("occurredAt",
                            "must be an ISO-8601 time with offset, such as 2026-11-20T10:15:00+03:00"));
                }
            }
        }

        List<Identifier> identifiers = new ArrayList<>();
        if (!badFields.contains("identifiers")) {
            Map<String, String> given = raw.identifiers() == null ? Map.of() : raw.identifiers();
            for (Map.Entry<String, String> entry : given.entrySet()) {
                Optional<IdentifierKind> kind = IdentifierKind.fromApiName(entry.getKey());
                if (kind.isEmpty() || entry.getValue() == null) {
                    continue; // unknown kinds and nulls are ignored
                }
                String field = "identifiers." + entry.getKey();
                if (badFields.contains(field)) {
                    continue;
                }
                switch (normalizer.normalize(kind.get(), entry.getValue())) {
                    case IdentifierNormalizer.Valid v -> identifiers.add(v.identifier());
                    case IdentifierNormalizer.Invalid inv -> errors.add(new FieldError(field, inv.message()));
                }
            }
            boolean identifierErrors = errors.stream().anyMatch(e -> e.field().startsWith("identifiers."));
            if (identifiers.isEmpty() && !identifierErrors) {
                errors.add(new FieldError("identifiers", "must hold at least one known identifier ("
                        + String.join(", ", java.util.Arrays.stream(IdentifierKind.values())
                                .map(IdentifierKind::apiName).toList())
                        + ")"));
            }
        }

        storable("traits", raw.traits(), badFields, errors);
        storable("properties", raw.properties(), badFields, errors);

        if (!errors.isEmpty()) {
            return new Invalid(errors);
        }
        return new Valid(new EventInput(id, type, channel, occurredAt, identifiers, raw.traits(), raw.properties()));
    }
}

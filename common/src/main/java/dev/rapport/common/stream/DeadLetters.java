package dev.rapport.common.stream;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Singleton;

import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.smallrye.mutiny.Uni;

/**
 * Entries a consumer group could never apply, set aside with the reason instead of being dropped: one Redis stream per
 * group ({@link StreamLayout#deadLetters}), never trimmed, read and replayed by an operator
 * ({@code /api/v1/stream/dead-letters}). Each keeps the original document, where it came from and the person it is
 * about, so an erasure removes them too.
 */
@Singleton
public class DeadLetters {

    /** Fields of a dead letter. */
    static final String STREAM = "stream";
    static final String ENTRY = "entry";
    static final String REASON = "reason";
    static final String FAILED_AT = "failedAt";
    static final String SUBJECT = "subject";
    static final String EVENT = "event";

    /**
     * A dead letter.
     *
     * @param id its id in the dead-letter stream
     * @param stream the partition stream it came from
     * @param entry its entry id there
     * @param eventId the event id, when the entry could be read
     * @param subject the profile it is about, when known
     * @param reason why it could not be applied
     * @param failedAt when it was set aside
     * @param document the entry's CloudEvents document as it was published, or null when it had none
     */
    public record Letter(String id, String stream, String entry, String eventId, String subject, String reason,
            Instant failedAt, String document) {
    }

    private final ReactiveStreamCommands<String, String, String> streams;
    private final StreamLayout layout;
    private final Clock clock;

    public DeadLetters(ReactiveRedisDataSource redis, StreamLayout layout, Clock clock) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.layout = layout;
        this.clock = clock;
    }

    /** Sets an entry aside for a group; the reason is kept as given (cut to 1,000 characters). */
    public Uni<String> add(String group, String stream, String entry, String eventId, String subject, String document,
            String reason) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(STREAM, stream);
        fields.put(ENTRY, entry);
        fields.put(REASON, reason.length() > 1000 ? reason.substring(0, 1000) + "…" : reason);
        fields.put(FAILED_AT, clock.instant().toString());
        if (eventId != null) {
            fields.put(EVENT, eventId);
        }
        if (subject != null) {
            fields.put(SUBJECT, subject);
        }
        if (document != null) {
            fields.put(StreamLayout.FIELD, document);
        }
        return streams.xadd(layout.deadLetters(group), fields);
    }

    /** A page of a group's dead letters, oldest first, after the id given (exclusive), or from the start. */
    public Uni<List<Letter>> list(String group, String after, int limit) {
        StreamRange range = after == null ? StreamRange.of("-", "+") : StreamRange.of("(" + after, "+");
        return streams.xrange(layout.deadLetters(group), range, limit)
                .map(messages -> messages.stream().map(DeadLetters::letter).toList());
    }

    /** One dead letter, or null. */
    public Uni<Letter> get(String group, String id) {
        return streams.xrange(layout.deadLetters(group), StreamRange.of(id, id), 1)
                .map(messages -> messages.isEmpty() ? null : letter(messages.get(0)));
    }

    /** Removes a dead letter; answers whether there was one. */
    public Uni<Boolean> remove(String group, String id) {
        return streams.xdel(layout.deadLetters(group), id).map(n -> n > 0);
    }

    /** How many dead letters a group has. */
    public Uni<Long> count(String group) {
        return streams.xlen(layout.deadLetters(group));
    }

    /** Removes every dead letter of a group about these profiles (an erasure); answers how many. */
    public Uni<Integer> scrub(String group, Collection<String> profileIds) {
        return scrub(group, Set.copyOf(profileIds), "-", 0);
    }

    private Uni<Integer> scrub(String group, Set<String> profileIds, String from, int removed) {
        String key = layout.deadLetters(group);
        return streams.xrange(key, StreamRange.of(from, "+"), 500).chain(page -> {
            List<String> gone = new ArrayList<>();
            for (StreamMessage<String, String, String> m : page) {
                String subject = m.payload() == null ? null : m.payload().get(SUBJECT);
                if (subject != null && profileIds.contains(subject)) {
                    gone.add(m.id());
                }
            }
            Uni<Integer> deleted = gone.isEmpty() ? Uni.createFrom().item(0)
                    : streams.xdel(key, gone.toArray(String[]::new));
            return deleted.chain(n -> page.size() < 500 ? Uni.createFrom().item(removed + n)
                    : scrub(group, profileIds, "(" + page.get(page.size() - 1).id(), removed + n));
        });
    }

    private static Letter letter(StreamMessage<String, String, String> m) {
        Map<String, String> f = m.payload() == null ? Map.of() : m.payload();
        Instant at = null;
        try {
            at = f.get(FAILED_AT) == null ? null : Instant.parse(f.get(FAILED_AT));
        } catch (java.time.DateTimeException e) {
            // left null: not written by this class
        }
        return new Letter(m.id(), f.get(STREAM), f.get(ENTRY), f.get(EVENT), f.get(SUBJECT),
                f.getOrDefault(REASON, "unknown"), at, f.get(StreamLayout.FIELD));
    }

    /** A reason as it is kept: what failed, sanitised. */
    static String reason(String what, Throwable failure) {
        String message = failure == null ? "" : failure.getMessage() == null ? failure.getClass().getSimpleName()
                : failure.getMessage();
        return what + (message.isEmpty() ? "" : ": " + LogSanitizer.sanitize(message));
    }
}

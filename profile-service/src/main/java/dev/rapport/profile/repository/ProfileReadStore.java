package dev.rapport.profile.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.texts;
import static dev.rapport.common.db.SqlValues.utc;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.profile.Identifier;
import dev.rapport.profile.IdentifierKind;
import dev.rapport.profile.Profile;
import dev.rapport.profile.StoredEvent;
import dev.rapport.profile.Summary;
import dev.rapport.profile.TimelineCursor;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads profiles, their summaries and timelines; one round trip per profile. */
@ApplicationScoped
public class ProfileReadStore {

    /** What a profile id or identifier leads to. */
    public sealed interface Found permits Live, Erased, Missing {
    }

    /** A live profile. */
    public record Live(Profile profile) implements Found {
    }

    /** A profile that was erased. */
    public record Erased(String id) implements Found {
    }

    /** Nothing. */
    public record Missing() implements Found {
    }

    /** Interests shown in a summary. */
    public static final int INTERESTS_SHOWN = 20;

    private static final String PROFILE_COLUMNS = """
            SELECT p.id, p.created_at, p.updated_at, p.erased_at, p.traits::text,
              (SELECT coalesce(json_agg(json_build_array(i.kind, i.value) ORDER BY i.kind, i.value), '[]')
                 FROM identifier i WHERE i.profile_id = p.id)::text,
              (SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') FROM profile m WHERE m.merged_into = p.id),
              (SELECT coalesce(json_object_agg(c.channel, c.last_seen), '{}')
                 FROM profile_channel c WHERE c.profile_id = p.id)::text,
              (SELECT coalesce(json_agg(json_build_array(x.kind, x.value, x.count, x.last_at) ORDER BY x.last_at DESC), '[]')
                 FROM (SELECT * FROM profile_interest WHERE profile_id = p.id ORDER BY last_at DESC LIMIT %d) x)::text,
              (SELECT coalesce(json_agg(json_build_array(o.product_ids, o.amount, o.currency, o.status, o.placed_at)
                                        ORDER BY o.placed_at DESC), '[]')
                 FROM profile_order o WHERE o.profile_id = p.id AND o.placed_at IS NOT NULL)::text,
              (SELECT coalesce(json_agg(json_build_array(t.ticket_id, t.opened_at) ORDER BY t.opened_at DESC), '[]')
                 FROM profile_ticket t WHERE t.profile_id = p.id AND t.opened_at IS NOT NULL
                  AND (t.resolved_at IS NULL OR t.opened_at > t.resolved_at))::text,
              (SELECT coalesce(json_agg(json_build_array(f.kind, f.value, f.at) ORDER BY f.at DESC), '[]')
                 FROM profile_offer f WHERE f.profile_id = p.id AND f.status = 'declined')::text
            FROM profile p
            """.formatted(INTERESTS_SHOWN);

    private final Pool pool;
    private final ObjectMapper json;

    public ProfileReadStore(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** A profile by id; a merged-away id finds the survivor. */
    public Uni<Found> byId(String id) {
        return pool.preparedQuery(PROFILE_COLUMNS
                + " WHERE p.id = (SELECT coalesce(q.merged_into, q.id) FROM profile q WHERE q.id = $1)")
                .execute(Tuple.of(id)).map(this::found);
    }

    /** The profile an identifier belongs to. */
    public Uni<Found> byIdentifier(Identifier identifier) {
        return pool.preparedQuery(PROFILE_COLUMNS
                + " WHERE p.id = (SELECT i.profile_id FROM identifier i WHERE i.kind = $1 AND i.value = $2)")
                .execute(Tuple.of(identifier.kind().apiName(), identifier.value())).map(this::found);
    }

    /** The id of the live profile an identifier belongs to, or null. */
    public Uni<String> resolve(Identifier identifier) {
        return pool.preparedQuery("SELECT profile_id FROM identifier WHERE kind = $1 AND value = $2")
                .execute(Tuple.of(identifier.kind().apiName(), identifier.value()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /**
     * A page of a profile's timeline, newest first; one more event than {@code limit} is read to know whether another
     * page follows.
     */
    public Uni<List<StoredEvent>> timeline(String profileId, List<String> types, List<String> channels,
            TimelineCursor after, int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT id, profile_id, type, channel, occurred_at, received_at, identifiers::text, traits::text,
                       properties::text
                FROM event WHERE profile_id = $1""");
        List<Object> params = new ArrayList<>(List.of(profileId));
        if (!types.isEmpty()) {
            params.add(texts(types));
            sql.append(" AND type = ANY($").append(params.size()).append(')');
        }
        if (!channels.isEmpty()) {
            params.add(texts(channels));
            sql.append(" AND channel = ANY($").append(params.size()).append(')');
        }
        if (after != null) {
            params.add(utc(after.occurredAt()));
            params.add(after.eventId());
            sql.append(" AND (occurred_at, id) < ($").append(params.size() - 1).append(", $").append(params.size())
                    .append(')');
        }
        params.add(limit + 1);
        sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(this::events);
    }

    /** Every event of a profile, oldest first. */
    public Uni<List<StoredEvent>> allEvents(String profileId) {
        return pool.preparedQuery("""
                SELECT id, profile_id, type, channel, occurred_at, received_at, identifiers::text, traits::text,
                       properties::text
                FROM event WHERE profile_id = $1 ORDER BY occurred_at, id""")
                .execute(Tuple.of(profileId)).map(this::events);
    }

    /** An identifier with when it was first and last seen. */
    public record IdentifierRecord(String kind, String value, Instant firstSeen, Instant lastSeen) {
    }

    /** Every identifier of a profile with its first and last sighting. */
    public Uni<List<IdentifierRecord>> identifierRecords(String profileId) {
        return pool.preparedQuery("""
                SELECT kind, value, first_seen, last_seen FROM identifier WHERE profile_id = $1 ORDER BY kind, value""")
                .execute(Tuple.of(profileId))
                .map(rows -> {
                    List<IdentifierRecord> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new IdentifierRecord(r.getString(0), r.getString(1),
                            instant(r.getOffsetDateTime(2)), instant(r.getOffsetDateTime(3)))));
                    return out;
                });
    }

    /** An identity conflict a profile was part of. */
    public record ConflictRecord(Instant at, String eventId, String profileId, String otherProfileId, String detail) {
    }

    /** The identity conflicts any of these profiles was part of (a person's, merged profiles included). */
    public Uni<List<ConflictRecord>> conflicts(List<String> profileIds) {
        return pool.preparedQuery("""
                SELECT occurred_at, event_id, profile_id, other_profile_id, detail FROM identity_conflict
                WHERE profile_id = ANY($1) OR other_profile_id = ANY($1) ORDER BY id""")
                .execute(Tuple.of(profileIds.toArray(String[]::new)))
                .map(rows -> {
                    List<ConflictRecord> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ConflictRecord(instant(r.getOffsetDateTime(0)), r.getString(1),
                            r.getString(2), r.getString(3), r.getString(4))));
                    return out;
                });
    }

    /** A profile merged into another, as it was kept: when it was made and merged, and the traits it held. */
    public record MergedRecord(String id, Instant createdAt, Instant mergedAt, ObjectNode traits) {
    }

    /** The rows of these merged profiles. */
    public Uni<List<MergedRecord>> merged(List<String> profileIds) {
        return pool.preparedQuery("""
                SELECT id, created_at, merged_at, traits::text FROM profile WHERE id = ANY($1) \
                ORDER BY created_at, id""")
                .execute(Tuple.of(profileIds.toArray(String[]::new)))
                .map(rows -> {
                    List<MergedRecord> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new MergedRecord(r.getString(0), instant(r.getOffsetDateTime(1)),
                            instant(r.getOffsetDateTime(2)), (ObjectNode) tree(r.getString(3)))));
                    return out;
                });
    }

    private Found found(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return new Missing();
        }
        Row row = rows.iterator().next();
        String id = row.getString(0);
        if (row.getOffsetDateTime(3) != null) {
            return new Erased(id);
        }
        List<Identifier> identifiers = new ArrayList<>();
        for (JsonNode pair : tree(row.getString(5))) {
            IdentifierKind.fromApiName(pair.get(0).asText())
                    .ifPresent(kind -> identifiers.add(new Identifier(kind, pair.get(1).asText())));
        }
        List<String> mergedIds = Arrays.asList(row.getArrayOfStrings(6));

        Map<String, Instant> lastSeen = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> c : tree(row.getString(7)).properties()) {
            lastSeen.put(c.getKey(), time(c.getValue()));
        }
        List<Summary.Interest> interests = new ArrayList<>();
        for (JsonNode i : tree(row.getString(8))) {
            interests.add(new Summary.Interest(i.get(0).asText(), i.get(1).asText(), i.get(2).asLong(), time(i.get(3))));
        }
        List<Summary.Order> orders = new ArrayList<>();
        for (JsonNode o : tree(row.getString(9))) {
            List<String> products = new ArrayList<>();
            o.get(0).forEach(p -> products.add(p.asText()));
            orders.add(new Summary.Order(products, o.get(1).isNull() ? null : new BigDecimal(o.get(1).asText()),
                    o.get(2).isNull() ? null : o.get(2).asText(), o.get(3).asText(), time(o.get(4))));
        }
        List<Summary.Ticket> tickets = new ArrayList<>();
        for (JsonNode t : tree(row.getString(10))) {
            tickets.add(new Summary.Ticket(t.get(0).asText(), time(t.get(1))));
        }
        List<Summary.Offer> declined = new ArrayList<>();
        for (JsonNode f : tree(row.getString(11))) {
            declined.add(new Summary.Offer(f.get(0).asText(), f.get(1).asText(), time(f.get(2))));
        }
        return new Live(new Profile(id, instant(row.getOffsetDateTime(1)), instant(row.getOffsetDateTime(2)),
                (ObjectNode) tree(row.getString(4)), identifiers, mergedIds,
                Summary.of(lastSeen, interests, orders, declined, tickets)));
    }

    private List<StoredEvent> events(RowSet<Row> rows) {
        List<StoredEvent> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new StoredEvent(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                    instant(r.getOffsetDateTime(4)), instant(r.getOffsetDateTime(5)), object(r.getString(6)),
                    object(r.getString(7)), object(r.getString(8))));
        }
        return out;
    }

    private static Instant time(JsonNode node) {
        return node == null || node.isNull() ? null : OffsetDateTime.parse(node.asText()).toInstant();
    }

    private ObjectNode object(String text) {
        return text == null ? null : (ObjectNode) tree(text);
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON from the database", e);
        }
    }
}

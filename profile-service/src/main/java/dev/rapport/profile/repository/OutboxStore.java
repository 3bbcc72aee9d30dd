package dev.rapport.profile.repository;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The outbox: stored events not yet on the event stream, and their CloudEvents form. */
@ApplicationScoped
public class OutboxStore {

    /** CloudEvents {@code source} of every event Rapport publishes from profile-service. */
    public static final String SOURCE = "/rapport/profile-service";

    /** A claimed page of one partition: the outbox rows and the messages to publish for them. */
    public record Page(List<Long> sequences, List<String> messages) {
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** Partitions that have unpublished events. */
    public Uni<List<Integer>> pendingPartitions(SqlConnection c) {
        return c.query("SELECT DISTINCT partition FROM outbox ORDER BY partition").execute()
                .map(rows -> {
                    List<Integer> partitions = new ArrayList<>();
                    rows.forEach(r -> partitions.add(r.getInteger(0)));
                    return partitions;
                });
    }

    /** How long the oldest unpublished event has waited, zero when none waits. */
    public Uni<Duration> oldestAge(SqlConnection c, Instant now) {
        return c.query("SELECT created_at FROM outbox ORDER BY seq LIMIT 1").execute()
                .map(rows -> rows.size() == 0 ? Duration.ZERO
                        : Duration.between(rows.iterator().next().getOffsetDateTime(0).toInstant(), now));
    }

    /**
     * Claims a partition for this transaction, so one relay at a time publishes it and its order holds; answers null
     * when another relay has it.
     */
    public Uni<Page> claim(SqlConnection c, int partition, int limit) {
        return c.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtextextended('outbox:' || $1::text, 0))")
                .execute(Tuple.of(String.valueOf(partition)))
                .chain(locked -> {
                    if (!locked.iterator().next().getBoolean(0)) {
                        return Uni.createFrom().nullItem();
                    }
                    return c.preparedQuery("""
                            SELECT o.seq, e.id, e.profile_id, e.type, e.channel, e.occurred_at, e.received_at,
                                   e.identifiers::text, e.traits::text, e.properties::text
                            FROM outbox o LEFT JOIN event e ON e.id = o.event_id
                            WHERE o.partition = $1 ORDER BY o.seq LIMIT $2""")
                            .execute(Tuple.of(partition, limit)).map(OutboxStore::page);
                });
    }

    /** Removes published rows. */
    public Uni<Void> remove(SqlConnection c, List<Long> sequences) {
        return c.preparedQuery("DELETE FROM outbox WHERE seq = ANY($1)")
                .execute(Tuple.of(sequences.toArray(Long[]::new))).replaceWithVoid();
    }

    private static Page page(RowSet<Row> rows) {
        List<Long> sequences = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Row row : rows) {
            sequences.add(row.getLong(0));
            if (row.getString(1) != null) { // an event erased before it was published is not published
                messages.add(cloudEvent(row));
            }
        }
        return new Page(sequences, messages);
    }

    /**
     * The CloudEvents 1.0 JSON form of a stored event: the Rapport event type as {@code type}, the profile as
     * {@code subject}, the whole event as {@code data}.
     */
    static String cloudEvent(Row row) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            String occurredAt = iso(row.getOffsetDateTime(5));
            g.writeStartObject();
            g.writeStringField("specversion", "1.0");
            g.writeStringField("id", row.getString(1));
            g.writeStringField("source", SOURCE);
            g.writeStringField("type", row.getString(3));
            g.writeStringField("subject", row.getString(2));
            g.writeStringField("time", occurredAt);
            g.writeStringField("datacontenttype", "application/json");
            g.writeObjectFieldStart("data");
            g.writeStringField("id", row.getString(1));
            g.writeStringField("type", row.getString(3));
            if (row.getString(4) != null) {
                g.writeStringField("channel", row.getString(4));
            }
            g.writeStringField("occurredAt", occurredAt);
            g.writeStringField("receivedAt", iso(row.getOffsetDateTime(6)));
            g.writeStringField("profileId", row.getString(2));
            g.writeFieldName("identifiers");
            g.writeRawValue(row.getString(7));
            g.writeFieldName("traits");
            g.writeRawValue(row.getString(8) == null ? "{}" : row.getString(8));
            g.writeFieldName("properties");
            g.writeRawValue(row.getString(9) == null ? "{}" : row.getString(9));
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String iso(OffsetDateTime at) {
        return at.toInstant().toString();
    }
}

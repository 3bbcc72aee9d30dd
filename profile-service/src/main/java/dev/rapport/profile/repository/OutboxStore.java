package dev.rapport.profile.repository;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.stream.StreamEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The outbox: stored events not yet on the event stream, and their CloudEvents form. */
@ApplicationScoped
public class OutboxStore {

    /** A claimed page: its messages per partition, each partition's in outbox order, and how many rows it took. */
    public record Page(Map<Integer, List<String>> messages, int rows) {
    }

    /** How long the oldest unpublished event has waited, zero when none waits. */
    public Uni<Duration> oldestAge(SqlConnection c, Instant now) {
        return c.query("SELECT created_at FROM outbox ORDER BY seq LIMIT 1").execute()
                .map(rows -> rows.size() == 0 ? Duration.ZERO
                        : Duration.between(rows.iterator().next().getOffsetDateTime(0).toInstant(), now));
    }

    /**
     * Claims, for this transaction, the oldest unpublished events of every partition no other relay holds: the free
     * partitions are locked (so one relay at a time publishes a partition, in order), their oldest rows are deleted
     * from the outbox and returned with their events. If the transaction rolls back, the rows are back. Rows queued
     * under a partition count other than this one's (before a change of the count, or by a replica configured
     * otherwise) are claimed too and published to the partition they were queued for, so none is stranded.
     */
    public Uni<Page> claim(SqlConnection c, int partitions, int limit) {
        return c.preparedQuery("""
                WITH free AS (
                    SELECT array_agg(p) AS partitions
                    FROM generate_series(0, GREATEST($1, (SELECT COALESCE(max(partition) + 1, 0) FROM outbox)) - 1) AS p
                    WHERE pg_try_advisory_xact_lock(hashtextextended('outbox:' || p::text, 0))),
                claimed AS (
                    DELETE FROM outbox WHERE seq IN (
                        SELECT seq FROM outbox, free WHERE partition = ANY(free.partitions) ORDER BY seq LIMIT $2)
                    RETURNING seq, partition, event_id)
                SELECT c.seq, e.id, e.profile_id, e.type, e.channel, e.occurred_at, e.received_at, e.identifiers::text,
                       e.traits::text, e.properties::text, c.partition
                FROM claimed c LEFT JOIN event e ON e.id = c.event_id ORDER BY c.seq""")
                .execute(Tuple.of(partitions, limit)).map(OutboxStore::page);
    }

    private static Page page(RowSet<Row> rows) {
        Map<Integer, List<String>> messages = new TreeMap<>();
        for (Row row : rows) {
            if (row.getString(1) != null) { // an event erased before it was published is not published
                messages.computeIfAbsent(row.getInteger(10), p -> new ArrayList<>()).add(cloudEvent(row));
            }
        }
        return new Page(messages, rows.size());
    }

    /** The CloudEvents 1.0 JSON form of a stored event (the stream contract: {@link StreamEvent#write}). */
    static String cloudEvent(Row row) {
        return StreamEvent.write(row.getString(1), row.getString(3), row.getString(4),
                row.getOffsetDateTime(5).toInstant(), row.getOffsetDateTime(6).toInstant(), row.getString(2),
                row.getString(7), row.getString(8), row.getString(9));
    }
}

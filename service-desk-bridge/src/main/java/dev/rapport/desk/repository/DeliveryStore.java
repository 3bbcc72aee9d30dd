package dev.rapport.desk.repository;

import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Desk webhook deliveries as received: stored before they are acknowledged, recorded later. */
@ApplicationScoped
public class DeliveryStore {

    /** A stored delivery waiting to be recorded. */
    public record Stored(long id, String desk, String deliveryId, String body, Instant receivedAt, int attempts) {
    }

    private final Pool pool;

    public DeliveryStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores a delivery; answers false when the desk delivered it before (it is not stored twice). */
    public Uni<Boolean> store(String desk, String deliveryId, String ticketId, String body, Instant now) {
        return pool.preparedQuery("""
                INSERT INTO webhook_delivery (desk, delivery_id, ticket_id, body, received_at, next_attempt_at)
                VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (desk, delivery_id) DO NOTHING RETURNING id""")
                .execute(Tuple.of(desk, deliveryId, ticketId, body, utc(now))).map(rows -> rows.size() > 0);
    }

    /** Claims, for this transaction, up to {@code limit} deliveries due, oldest first; other replicas skip them. */
    public Uni<List<Stored>> claim(SqlConnection c, int limit, Instant now) {
        return c.preparedQuery("""
                SELECT id, desk, delivery_id, body, received_at, attempts FROM webhook_delivery
                WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED""")
                .execute(Tuple.of(utc(now), limit)).map(rows -> {
                    List<Stored> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Stored(r.getLong(0), r.getString(1), r.getString(2), r.getString(3),
                                r.getOffsetDateTime(4).toInstant(), r.getInteger(5)));
                    }
                    return out;
                });
    }

    /** Marks a delivery recorded, on the profile it went to. */
    public Uni<Void> recorded(SqlConnection c, long id, String profileId, Instant now) {
        return c.preparedQuery("""
                UPDATE webhook_delivery SET status = 'recorded', recorded_at = $3, profile_id = $2, attempts = attempts + 1,
                    last_error = NULL WHERE id = $1""").execute(Tuple.of(id, profileId, utc(now))).replaceWithVoid();
    }

    /** Sets a delivery aside for good, with the reason. */
    public Uni<Void> unprocessable(SqlConnection c, long id, String reason) {
        return c.preparedQuery("""
                UPDATE webhook_delivery SET status = 'unprocessable', attempts = attempts + 1, last_error = $2
                WHERE id = $1""").execute(Tuple.of(id, reason)).replaceWithVoid();
    }

    /** Leaves a delivery pending, to be tried again at {@code next}. */
    public Uni<Void> retry(SqlConnection c, long id, Instant next, String error) {
        return c.preparedQuery("""
                UPDATE webhook_delivery SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1""")
                .execute(Tuple.of(id, utc(next), error)).replaceWithVoid();
    }

    /** Forgets what erased people's recorded deliveries said (their email and phone were in the body). */
    public Uni<Void> forget(SqlConnection c, List<String> profileIds) {
        return c.preparedQuery("UPDATE webhook_delivery SET body = '{\"erased\":true}' WHERE profile_id = ANY($1)")
                .execute(Tuple.of(profileIds.toArray(String[]::new))).replaceWithVoid();
    }

    /** How many deliveries wait to be recorded, and how long the oldest has waited (seconds; 0 when none). */
    public Uni<long[]> backlog(Instant now) {
        return pool.preparedQuery("""
                SELECT count(*), COALESCE(extract(epoch FROM $1 - min(received_at)), 0)::bigint FROM webhook_delivery
                WHERE status = 'pending'""").execute(Tuple.of(utc(now)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new long[] { r.getLong(0), r.getLong(1) };
                });
    }

    /** A delivery as an operator sees it. */
    public record Kept(long id, String desk, String deliveryId, String ticketId, String status, int attempts,
            String lastError, Instant receivedAt, Instant recordedAt, String profileId) {
    }

    /** Deliveries in a status, newest first, before the id given (exclusive) or from the newest. */
    public Uni<List<Kept>> list(String status, Long before, int limit) {
        return pool.preparedQuery("""
                SELECT id, desk, delivery_id, ticket_id, status, attempts, last_error, received_at, recorded_at, profile_id
                FROM webhook_delivery WHERE status = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3""")
                .execute(Tuple.of(status, before, limit)).map(rows -> {
                    List<Kept> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Kept(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getInteger(5), r.getString(6), r.getOffsetDateTime(7).toInstant(),
                                r.getOffsetDateTime(8) == null ? null : r.getOffsetDateTime(8).toInstant(),
                                r.getString(9)));
                    }
                    return out;
                });
    }

    /**
     * Puts a delivery set aside as unprocessable back in line to be recorded now (after its cause was fixed).
     *
     * @return the delivery as it is now, or null when no unprocessable delivery has this id
     */
    public Uni<Kept> retry(long id, Instant now) {
        return pool.preparedQuery("""
                UPDATE webhook_delivery SET status = 'pending', next_attempt_at = $2
                WHERE id = $1 AND status = 'unprocessable'
                RETURNING id, desk, delivery_id, ticket_id, status, attempts, last_error, received_at, recorded_at,
                          profile_id""")
                .execute(Tuple.of(id, utc(now))).map(rows -> {
                    for (Row r : rows) {
                        return new Kept(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getInteger(5), r.getString(6), r.getOffsetDateTime(7).toInstant(), null,
                                r.getString(9));
                    }
                    return null;
                });
    }
}

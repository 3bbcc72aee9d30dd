package dev.rapport.channel.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.texts;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.webhook.ProviderCallbacks.Callback;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The providers' callbacks, stored before they are acknowledged and applied by a worker. */
@ApplicationScoped
public class CallbackStore {

    /** A callback waiting to be applied. */
    public record Pending(long id, Callback callback, Instant receivedAt, int attempts) {
    }

    /** A callback as an operator sees it. */
    public record Kept(long id, String provider, String eventId, String kind, String status, int attempts,
            String lastError, Instant receivedAt, Instant appliedAt) {
    }

    private final Pool pool;

    public CallbackStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores the callbacks of one webhook together; answers how many were new (the others were known already). */
    public Uni<Integer> store(List<Callback> callbacks, Instant now) {
        List<String> providers = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (Callback c : callbacks) {
            providers.add(c.provider());
            ids.add(c.eventId());
            kinds.add(c.kind());
            payloads.add(c.payload().encode());
        }
        return pool.preparedQuery("""
                INSERT INTO callback (provider, event_id, kind, payload, received_at, next_attempt_at)
                SELECT p, e, k, d::jsonb, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                    AS t (p, e, k, d)
                ON CONFLICT (provider, event_id) DO NOTHING""").execute(Tuple.of(texts(providers), texts(ids),
                        texts(kinds), texts(payloads), utc(now)))
                .map(rows -> rows.rowCount());
    }

    /** Takes up to {@code limit} due callbacks, oldest first, locked for this replica's round. */
    public Uni<List<Pending>> claim(SqlConnection c, int limit, Instant now) {
        return c.preparedQuery("""
                SELECT id, provider, event_id, kind, payload, received_at, attempts FROM callback
                WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED""")
                .execute(Tuple.of(utc(now), limit)).map(rows -> {
                    List<Pending> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Pending(r.getLong(0), new Callback(r.getString(1), r.getString(2),
                                r.getString(3), (JsonObject) r.getValue(4)), instant(r.getOffsetDateTime(5)),
                                r.getInteger(6)));
                    }
                    return out;
                });
    }

    /** Marks callbacks applied. */
    public Uni<Void> applied(SqlConnection c, List<Long> ids, Instant now) {
        return c.preparedQuery("UPDATE callback SET status = 'applied', applied_at = $2, attempts = attempts + 1, "
                + "last_error = NULL WHERE id = ANY($1)").execute(Tuple.of(ids.toArray(Long[]::new), utc(now)))
                .replaceWithVoid();
    }

    /** Puts a callback off until {@code next}, with the reason. */
    public Uni<Void> retry(SqlConnection c, long id, Instant next, String error) {
        return c.preparedQuery("UPDATE callback SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 "
                + "WHERE id = $1").execute(Tuple.of(id, utc(next), error)).replaceWithVoid();
    }

    /** Sets a callback aside for good, with the reason, for an operator. */
    public Uni<Void> unprocessable(SqlConnection c, long id, String reason) {
        return c.preparedQuery("UPDATE callback SET status = 'unprocessable', attempts = attempts + 1, "
                + "last_error = $2 WHERE id = $1").execute(Tuple.of(id, reason)).replaceWithVoid();
    }

    /** Forgets applied callbacks older than {@code before} (providers stopped redelivering them), a batch at a time. */
    public Uni<Integer> forget(Instant before, int limit) {
        return pool.preparedQuery("DELETE FROM callback WHERE id IN (SELECT id FROM callback WHERE status = 'applied' "
                + "AND applied_at < $1 LIMIT $2)").execute(Tuple.of(utc(before), limit)).map(rows -> rows.rowCount());
    }

    /** How many callbacks wait, and how old the oldest is (seconds). */
    public Uni<long[]> backlog(Instant now) {
        return pool.preparedQuery("SELECT count(*), COALESCE(extract(epoch FROM $1 - min(received_at)), 0)::bigint "
                + "FROM callback WHERE status = 'pending'").execute(Tuple.of(utc(now))).map(rows -> {
                    Row r = rows.iterator().next();
                    return new long[] { r.getLong(0), r.getLong(1) };
                });
    }

    /** Callbacks in a status, newest first, before an id (for paging). */
    public Uni<List<Kept>> list(String status, Long before, int limit) {
        return pool.preparedQuery("""
                SELECT id, provider, event_id, kind, status, attempts, last_error, received_at, applied_at
                FROM callback WHERE status = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3""")
                .execute(Tuple.of(status, before, limit)).map(rows -> {
                    List<Kept> out = new ArrayList<>();
                    rows.forEach(r -> out.add(kept(r)));
                    return out;
                });
    }

    /** Puts a set-aside callback back to be applied now; null when there is no such one. */
    public Uni<Kept> retry(long id, Instant now) {
        return pool.preparedQuery("""
                UPDATE callback SET status = 'pending', next_attempt_at = $2
                WHERE id = $1 AND status = 'unprocessable'
                RETURNING id, provider, event_id, kind, status, attempts, last_error, received_at, applied_at""")
                .execute(Tuple.of(id, utc(now))).map(rows -> rows.size() == 0 ? null : kept(rows.iterator().next()));
    }

    private static Kept kept(Row r) {
        return new Kept(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getInteger(5), r.getString(6), instant(r.getOffsetDateTime(7)), instant(r.getOffsetDateTime(8)));
    }
}

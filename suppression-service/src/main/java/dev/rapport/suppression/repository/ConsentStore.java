package dev.rapport.suppression.repository;

import static dev.rapport.common.db.SqlValues.instant;
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

/** Consent evidence and the do-not-contact list, as the REST API reads and writes them. */
@ApplicationScoped
public class ConsentStore {

    /** A consent statement as kept in the history. */
    public record Statement(String channel, String topic, String status, String source, Instant at, String eventId,
            Instant recordedAt, String recordedBy) {
    }

    private final Pool pool;

    public ConsentStore(Pool pool) {
        this.pool = pool;
    }

    /** Every consent statement of a person, newest first (at most {@code limit}). */
    public Uni<List<Statement>> history(String profileId, int limit) {
        return pool.preparedQuery("""
                SELECT channel, topic, status, source, at, event_id, recorded_at, recorded_by FROM consent_history
                WHERE profile_id = $1 ORDER BY at DESC, id DESC LIMIT $2""").execute(Tuple.of(profileId, limit))
                .map(rows -> {
                    List<Statement> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Statement(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                                instant(r.getOffsetDateTime(4)), r.getString(5), instant(r.getOffsetDateTime(6)),
                                r.getString(7)));
                    }
                    return out;
                });
    }

    /** Puts a person on the do-not-contact list (or updates their entry), in the caller's transaction. */
    public Uni<Void> doNotContact(SqlConnection c, String profileId, String reason, String source, Instant at,
            String by) {
        return c.preparedQuery("""
                INSERT INTO do_not_contact (profile_id, reason, source, at, recorded_by) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (profile_id) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source,
                    at = EXCLUDED.at, recorded_by = EXCLUDED.recorded_by""")
                .execute(Tuple.of(profileId, reason, source, utc(at), by)).replaceWithVoid();
    }

    /** Takes a person off the do-not-contact list, in the caller's transaction; answers whether they were on it. */
    public Uni<Boolean> allowContact(SqlConnection c, String profileId) {
        return c.preparedQuery("DELETE FROM do_not_contact WHERE profile_id = $1").execute(Tuple.of(profileId))
                .map(rows -> rows.rowCount() > 0);
    }
}

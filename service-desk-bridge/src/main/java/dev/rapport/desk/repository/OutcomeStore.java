package dev.rapport.desk.repository;

import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The outcomes agents recorded. */
@ApplicationScoped
public class OutcomeStore {

    /** An outcome as recorded. */
    public record Outcome(String id, String profileId, String productId, String outcome, String note, String agent,
            String orderId, Instant recordedAt) {
    }

    private static final String COLUMNS = "id, profile_id, product_id, outcome, note, agent, order_id, recorded_at";

    private final Pool pool;

    public OutcomeStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores an outcome (its events are recorded already); one stored before under its id is left as it is. */
    public Uni<Void> store(Outcome o) {
        return pool.preparedQuery("INSERT INTO agent_outcome (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                + "ON CONFLICT (id) DO NOTHING").execute(Tuple.from(new Object[] { o.id(), o.profileId(),
                        o.productId(), o.outcome(), o.note(), o.agent(), o.orderId(), utc(o.recordedAt()) }))
                .replaceWithVoid();
    }

    /** An outcome by id, or null. */
    public Uni<Outcome> find(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM agent_outcome WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> outcomes(rows).stream().findFirst().orElse(null));
    }

    /** A person's latest outcomes, newest first. */
    public Uni<List<Outcome>> latest(String profileId, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM agent_outcome WHERE profile_id = $1 "
                + "ORDER BY recorded_at DESC LIMIT $2").execute(Tuple.of(profileId, limit)).map(OutcomeStore::outcomes);
    }

    /** Forgets erased people's outcomes. */
    public Uni<Void> forget(SqlConnection c, List<String> profileIds) {
        return c.preparedQuery("DELETE FROM agent_outcome WHERE profile_id = ANY($1)")
                .execute(Tuple.of(profileIds.toArray(String[]::new))).replaceWithVoid();
    }

    private static List<Outcome> outcomes(RowSet<Row> rows) {
        List<Outcome> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Outcome(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                    r.getString(5), r.getString(6), r.getOffsetDateTime(7).toInstant()));
        }
        return out;
    }
}

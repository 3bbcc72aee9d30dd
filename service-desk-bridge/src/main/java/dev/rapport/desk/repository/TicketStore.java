package dev.rapport.desk.repository;

import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.desk.Ticket;
import dev.rapport.desk.TicketChange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The ticket mirror: what the bridge last learned of each desk ticket. */
@ApplicationScoped
public class TicketStore {

    private static final String COLUMNS = "id, desk, external_id, profile_id, subject, status, opened_at, updated_at, "
            + "requester_email, requester_phone";

    private final Pool pool;

    public TicketStore(Pool pool) {
        this.pool = pool;
    }

    /** Open tickets of a person, newest first. */
    public Uni<List<Ticket>> openTickets(String profileId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM ticket WHERE profile_id = $1 AND status = 'open' "
                + "ORDER BY opened_at DESC").execute(Tuple.of(profileId)).map(TicketStore::tickets);
    }

    /** A ticket of the mirror, locked for the transaction, or null. */
    public Uni<Ticket> lock(SqlConnection c, String id) {
        return c.preparedQuery("SELECT " + COLUMNS + " FROM ticket WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
                .map(rows -> tickets(rows).stream().findFirst().orElse(null));
    }

    /**
     * Applies a change to the mirror: a new ticket is made; a known one takes the change only when it is not older than
     * the one it holds, so deliveries out of order leave the latest state.
     */
    public Uni<Void> apply(SqlConnection c, TicketChange change, String profileId, Instant at) {
        return c.preparedQuery("""
                INSERT INTO ticket AS t (id, desk, external_id, profile_id, subject, status, opened_at, updated_at,
                                         changed_at, requester_email, requester_phone, closed_reason)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, $9, CASE WHEN $6 = 'solved' THEN $10 END)
                ON CONFLICT (id) DO UPDATE SET
                    profile_id = COALESCE(EXCLUDED.profile_id, t.profile_id),
                    subject = COALESCE(EXCLUDED.subject, t.subject),
                    requester_email = COALESCE(EXCLUDED.requester_email, t.requester_email),
                    requester_phone = COALESCE(EXCLUDED.requester_phone, t.requester_phone),
                    closed_reason = EXCLUDED.closed_reason,
                    status = EXCLUDED.status,
                    opened_at = CASE WHEN EXCLUDED.status = 'open' AND t.status = 'solved' THEN EXCLUDED.opened_at
                                     ELSE LEAST(t.opened_at, EXCLUDED.opened_at) END,
                    updated_at = EXCLUDED.updated_at,
                    changed_at = EXCLUDED.changed_at
                WHERE EXCLUDED.changed_at >= t.changed_at""")
                .execute(Tuple.from(new Object[] { change.rapportTicketId(), change.desk(), change.ticketId(), profileId,
                        change.subject(), change.open() ? "open" : "solved", utc(at), change.email(), change.phone(),
                        change.reason() }))
                .replaceWithVoid();
    }

    /**
     * Takes up to {@code limit} open tickets of a desk, opened before {@code openedBefore} and not checked since
     * {@code checkedBefore}, least recently checked first, and marks them checked at {@code now}: replicas never take
     * the same ticket in one round.
     */
    public Uni<List<Ticket>> dueForCheck(String desk, Instant openedBefore, Instant checkedBefore, Instant now,
            int limit) {
        return pool.preparedQuery("UPDATE ticket SET checked_at = $4 WHERE id IN (SELECT id FROM ticket "
                + "WHERE status = 'open' AND desk = $1 AND opened_at < $2 AND (checked_at IS NULL OR checked_at < $3) "
                + "ORDER BY checked_at NULLS FIRST, opened_at LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)
                .execute(Tuple.of(desk, utc(openedBefore), utc(checkedBefore), utc(now), limit))
                .map(TicketStore::tickets);
    }

    /** Forgets the requesters' email and phone on the tickets of erased people; answers how many tickets. */
    public Uni<Integer> forget(SqlConnection c, List<String> profileIds) {
        return c.preparedQuery("UPDATE ticket SET requester_email = NULL, requester_phone = NULL, subject = NULL "
                + "WHERE profile_id = ANY($1)").execute(Tuple.of(profileIds.toArray(String[]::new)))
                .map(rows -> rows.rowCount());
    }

    private static List<Ticket> tickets(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Ticket> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Ticket(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                    "open".equals(r.getString(5)), r.getOffsetDateTime(6).toInstant(),
                    r.getOffsetDateTime(7).toInstant(), r.getString(8), r.getString(9)));
        }
        return out;
    }
}

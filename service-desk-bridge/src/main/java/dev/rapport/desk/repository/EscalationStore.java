package dev.rapport.desk.repository;

import static dev.rapport.common.db.SqlValues.utc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Conversations' inbound messages and the escalations of unhappy ones. */
@ApplicationScoped
public class EscalationStore {

    /** An inbound message of a conversation. */
    public record Message(String eventId, String conversationId, String profileId, String channel, String source,
            String text, Instant occurredAt) {
    }

    /**
     * An escalation: a conversation found unhappy, and how far it got.
     *
     * @param identifiers the sender's identifiers as the inbound message carried them (API names to values)
     * @param reason why it reads as unhappy (the cues)
     * @param status {@code pending} (no ticket yet), {@code created} (a ticket in the desk, not yet on the profile),
     *        {@code opened}, {@code failed}
     */
    public record Escalation(String conversationId, String profileId, String channel, String source,
            Map<String, String> identifiers, String reason, String triggerEventId, String status, String ticketId,
            int attempts, String lastError, Instant createdAt) {
    }

    private static final String COLUMNS = "conversation_id, profile_id, channel, source, identifiers, reason, "
            + "trigger_event_id, status, ticket_id, attempts, last_error, created_at";

    private final Pool pool;

    public EscalationStore(Pool pool) {
        this.pool = pool;
    }

    /** Keeps messages; one seen before (the stream brings an event again after a failure) is kept once. */
    public Uni<Void> keep(SqlConnection c, List<Message> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                INSERT INTO conversation_message (event_id, conversation_id, profile_id, channel, source, body,
                                                  occurred_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING""")
                .executeBatch(messages.stream().map(m -> Tuple.from(new Object[] { m.eventId(), m.conversationId(),
                        m.profileId(), m.channel(), m.source(), m.text(), utc(m.occurredAt()) })).toList())
                .replaceWithVoid();
    }

    /** Records an escalation unless its conversation has one already; answers whether it is new. */
    public Uni<Boolean> escalate(SqlConnection c, Message trigger, Map<String, String> identifiers, String reason,
            Instant now) {
        return c.preparedQuery("""
                INSERT INTO escalation (conversation_id, profile_id, channel, source, identifiers, reason,
                                        trigger_event_id, next_attempt_at, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (conversation_id) DO NOTHING
                RETURNING conversation_id""")
                .execute(Tuple.from(new Object[] { trigger.conversationId(), trigger.profileId(), trigger.channel(),
                        trigger.source(), new JsonObject(new LinkedHashMap<>(identifiers)), reason, trigger.eventId(),
                        utc(now) }))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Takes up to {@code limit} escalations due, for {@code lease}: another replica takes one only once its lease ran
     * out (this one stopped half-way), and the desk's idempotency key keeps that from opening a second ticket.
     */
    public Uni<List<Escalation>> claim(int limit, Instant now, Duration lease) {
        return pool.preparedQuery("UPDATE escalation SET next_attempt_at = $2, attempts = attempts + 1 "
                + "WHERE conversation_id IN (SELECT conversation_id FROM escalation WHERE status IN ('pending', "
                + "'created') AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
                + "RETURNING " + COLUMNS).execute(Tuple.of(utc(now), utc(now.plus(lease)), limit))
                .map(EscalationStore::escalations);
    }

    /** The latest messages of a conversation, oldest first. */
    public Uni<List<Message>> recent(String conversationId, int limit) {
        return pool.preparedQuery("""
                SELECT event_id, conversation_id, profile_id, channel, source, body, occurred_at FROM (
                    SELECT * FROM conversation_message WHERE conversation_id = $1 ORDER BY occurred_at DESC LIMIT $2
                ) m ORDER BY occurred_at""").execute(Tuple.of(conversationId, limit)).map(rows -> {
                    List<Message> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Message(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                                r.getString(4), r.getString(5), r.getOffsetDateTime(6).toInstant()));
                    }
                    return out;
                });
    }

    /** The desk opened the ticket. */
    public Uni<Void> created(String conversationId, String ticketId, Instant now) {
        return pool.preparedQuery("UPDATE escalation SET status = 'created', ticket_id = $2, next_attempt_at = $3, "
                + "attempts = 0, last_error = NULL WHERE conversation_id = $1")
                .execute(Tuple.of(conversationId, ticketId, utc(now))).replaceWithVoid();
    }

    /** The ticket is on the person's profile: done. */
    public Uni<Void> opened(SqlConnection c, String conversationId, Instant now) {
        return c.preparedQuery("UPDATE escalation SET status = 'opened', opened_at = $2, last_error = NULL "
                + "WHERE conversation_id = $1").execute(Tuple.of(conversationId, utc(now))).replaceWithVoid();
    }

    /** To be tried again at {@code next}. */
    public Uni<Void> retry(String conversationId, Instant next, String error) {
        return pool.preparedQuery("UPDATE escalation SET next_attempt_at = $2, last_error = $3 "
                + "WHERE conversation_id = $1").execute(Tuple.of(conversationId, utc(next), error)).replaceWithVoid();
    }

    /** Set aside for good, with the reason. */
    public Uni<Void> failed(String conversationId, String error) {
        return pool.preparedQuery("UPDATE escalation SET status = 'failed', last_error = $2 WHERE conversation_id = $1")
                .execute(Tuple.of(conversationId, error)).replaceWithVoid();
    }

    /** Escalations of a conversation or a status, newest first (operators, tests). */
    public Uni<List<Escalation>> list(String status, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM escalation WHERE status = $1 "
                + "ORDER BY created_at DESC LIMIT $2").execute(Tuple.of(status, limit))
                .map(EscalationStore::escalations);
    }

    /**
     * Puts a failed escalation back in line now: it creates its ticket again, or, when the desk has it already, records
     * it on the profile.
     *
     * @return whether a failed escalation of this conversation was there
     */
    public Uni<Boolean> retry(String conversationId, Instant now) {
        return pool.preparedQuery("""
                UPDATE escalation SET status = CASE WHEN ticket_id IS NULL THEN 'pending' ELSE 'created' END,
                       next_attempt_at = $2, attempts = 0
                WHERE conversation_id = $1 AND status = 'failed'""")
                .execute(Tuple.of(conversationId, utc(now)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Forgets erased people: their messages go, their escalations keep no identifiers. */
    public Uni<Void> forget(SqlConnection c, List<String> profileIds) {
        String[] ids = profileIds.toArray(String[]::new);
        return c.preparedQuery("DELETE FROM conversation_message WHERE profile_id = ANY($1)").execute(Tuple.of(ids))
                .chain(() -> c.preparedQuery("UPDATE escalation SET identifiers = '{}'::jsonb "
                        + "WHERE profile_id = ANY($1)")
                        .execute(Tuple.of(ids)))
                .replaceWithVoid();
    }

    private static List<Escalation> escalations(RowSet<Row> rows) {
        List<Escalation> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, String> ids = new LinkedHashMap<>();
            JsonObject json = r.getJsonObject(4);
            if (json != null) {
                json.forEach(e -> ids.put(e.getKey(), String.valueOf(e.getValue())));
            }
            out.add(new Escalation(r.getString(0), r.getString(1), r.getString(2), r.getString(3), ids,
                    r.getString(5), r.getString(6), r.getString(7), r.getString(8), r.getInteger(9), r.getString(10),
                    r.getOffsetDateTime(11).toInstant()));
        }
        return out;
    }
}

package dev.rapport.channel.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.list;
import static dev.rapport.common.db.SqlValues.texts;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Content;
import dev.rapport.channel.Message;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Messages, their status history and the events they become, in channel-gateway's database. */
@ApplicationScoped
public class MessageStore {

    private static final String COLUMNS = "id, profile_id, channel, purpose, address, content, campaign_id, "
            + "product_ids, segments, encoding, status, provider, provider_message_id, attempts, next_attempt_at, "
            + "expires_at, last_error, created_at, request_digest, identity, language";

    /** A stored message with what identifies its request and its person. */
    public record Stored(Message message, String requestDigest, String identity) {
    }

    /** A status the message went through. */
    public record StatusChange(String status, Instant at, String detail) {
    }

    /** An event a status change becomes, waiting to be recorded on the profile. */
    public record PendingEvent(String id, String type, Instant at, int attempts, JsonObject properties,
            Stored message) {
    }

    private final Pool pool;

    public MessageStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores a new message with its first status; false when one with its id exists already. */
    public Uni<Boolean> insert(SqlConnection c, Message m, String digest, String identity, String detail,
            Instant now) {
        return c.preparedQuery("""
                INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                    campaign_id, product_ids, segments, encoding, status, attempts, next_attempt_at, expires_at,
                    created_at, updated_at, language)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $16, $16, $17)
                ON CONFLICT (id) DO NOTHING""").execute(Tuple.from(new Object[] { m.id(), m.profileId(),
                        m.channel(), m.purpose(), m.address(), identity, json(m.content()), digest, m.campaignId(),
                        texts(m.productIds()), m.segments(), m.encoding(), m.status(), utc(m.nextAttemptAt()),
                        m.expiresAt() == null ? null : utc(m.expiresAt()), utc(now), m.language() }))
                .chain(rows -> rows.rowCount() == 0 ? Uni.createFrom().item(false)
                        : status(c, m.id(), m.status(), now, detail).replaceWith(true));
    }

    /** A message by id, or null. */
    public Uni<Stored> find(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM message WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /** A message's statuses, oldest first. */
    public Uni<List<StatusChange>> history(String id) {
        return pool.preparedQuery("SELECT status, at, detail FROM message_status WHERE message_id = $1 ORDER BY seq")
                .execute(Tuple.of(id)).map(rows -> {
                    List<StatusChange> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new StatusChange(r.getString(0), instant(r.getOffsetDateTime(1)), r.getString(2)));
                    }
                    return out;
                });
    }

    /**
     * Takes up to {@code limit} due messages (queued, or held until now) for hand-off: each becomes {@code sending}
     * with a lease, so another replica leaves it alone until the lease runs out.
     */
    public Uni<List<Stored>> claim(SqlConnection c, int limit, Instant now, Duration lease) {
        return c.preparedQuery("UPDATE message SET status = 'sending', lease_until = $2, attempts = attempts + 1, "
                + "updated_at = $1 WHERE id IN (SELECT id FROM message WHERE status IN ('queued', 'held') "
                + "AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING "
                + COLUMNS).execute(Tuple.of(utc(now), utc(now.plus(lease)), limit)).map(MessageStore::all);
    }

    /** Hand-offs whose lease ran out: the gateway stopped between the provider call and its record. */
    public Uni<List<Stored>> interrupted(SqlConnection c, int limit, Instant now) {
        return c.preparedQuery("SELECT " + COLUMNS + " FROM message WHERE status = 'sending' AND lease_until < $1 "
                + "ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED").execute(Tuple.of(utc(now), limit))
                .map(MessageStore::all);
    }

    /**
     * Moves a message on from {@code from}, with its history and, when {@code event} is given, the event it becomes.
     *
     * @param next when it is due again (queued or held), else null
     * @return whether it was in {@code from}
     */
    public Uni<Boolean> move(SqlConnection c, String id, String from, String to, Instant next, String provider,
            String providerMessageId, String error, String detail, String event, Instant now) {
        return move(c, id, from, to, next, provider, providerMessageId, error, detail, event, null, now);
    }

    /** {@link #move}, the event with properties beyond its message's ({@code bounce}: {@code hard}). */
    public Uni<Boolean> move(SqlConnection c, String id, String from, String to, Instant next, String provider,
            String providerMessageId, String error, String detail, String event, JsonObject properties,
            Instant now) {
        return c.preparedQuery("""
                UPDATE message SET status = $3, next_attempt_at = $4, lease_until = NULL,
                    provider = COALESCE($5, provider), provider_message_id = COALESCE($6, provider_message_id),
                    last_error = $7, updated_at = $8
                WHERE id = $1 AND status = $2""").execute(Tuple.from(new Object[] { id, from, to,
                        next == null ? null : utc(next), provider, providerMessageId, error, utc(now) }))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    Uni<Void> history = status(c, id, to, now, detail);
                    return (event == null ? history : history.chain(() -> event(c, id, event, properties, now)))
                            .replaceWith(true);
                });
    }

    /**
     * Puts a message being handed off back in line for {@code next} without spending its attempt: it was not tried (its
     * provider's rate limit, every provider of its channel failing) or the provider asked for the pause
     * ({@code Retry-After}). With a {@code detail}, the pause is in its history; a rate limit's is not (it is no news).
     */
    public Uni<Boolean> postpone(SqlConnection c, String id, Instant next, String error, String detail, Instant now) {
        return c.preparedQuery("""
                UPDATE message SET status = 'queued', next_attempt_at = $2, lease_until = NULL,
                    attempts = GREATEST(attempts - 1, 0), last_error = COALESCE($3, last_error), updated_at = $4
                WHERE id = $1 AND status = 'sending'""").execute(Tuple.of(id, utc(next), error, utc(now)))
                .chain(rows -> rows.rowCount() == 0 ? Uni.createFrom().item(false)
                        : detail == null ? Uni.createFrom().item(true)
                        : status(c, id, "queued", now, detail).replaceWith(true));
    }

    /**
     * Forgets erased people in their messages: the address, the identity and the content go, status details and event
     * properties too (a provider's error can quote an address, a click its link); a message still waiting ends as
     * {@code failed} (reason {@code erased}) and is never sent; events not recorded yet are dropped, since recording
     * one would name the person to profile-service again. What the message was (channel, purpose, campaign, status)
     * stays for the campaign's statistics. Answers how many messages were forgotten; a second time, none.
     */
    public Uni<Integer> forget(SqlConnection c, List<String> profileIds, Instant now) {
        return c.preparedQuery("""
                WITH gone AS (
                    UPDATE message SET address = '', identity = '', content = '{}'::jsonb,
                        status = CASE WHEN status IN ('queued', 'held') THEN 'failed' ELSE status END,
                        last_error = CASE WHEN status IN ('queued', 'held') THEN 'erased' END,
                        next_attempt_at = CASE WHEN status IN ('queued', 'held') THEN NULL ELSE next_attempt_at END,
                        updated_at = $2
                    WHERE profile_id = ANY($1) AND (address <> '' OR content <> '{}'::jsonb)
                    RETURNING id, status, last_error),
                details AS (
                    UPDATE message_status SET detail = NULL WHERE message_id IN (SELECT id FROM gone)),
                events AS (
                    UPDATE message_event SET properties = NULL,
                        recorded = true, last_error = CASE WHEN recorded THEN last_error ELSE 'erased' END
                    WHERE message_id IN (SELECT id FROM gone)),
                ended AS (
                    INSERT INTO message_status (message_id, status, at, detail)
                    SELECT id, 'failed', $2, 'the person was erased: not sent' FROM gone
                    WHERE last_error = 'erased')
                SELECT count(*) FROM gone""").execute(Tuple.of(profileIds.toArray(new String[0]), utc(now)))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** A message by id, read in a transaction, or null. */
    public Uni<Stored> byId(SqlConnection c, String id) {
        return c.preparedQuery("SELECT " + COLUMNS + " FROM message WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /** The message a provider knows by its id, or null. */
    public Uni<Stored> byProviderId(SqlConnection c, String provider, String providerMessageId) {
        return c.preparedQuery("SELECT " + COLUMNS + " FROM message WHERE provider = $1 AND provider_message_id = $2")
                .execute(Tuple.of(provider, providerMessageId))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /**
     * What a provider reported on a message afterwards: it moves to {@code to} when its status is one of
     * {@code from} (so a late or repeated report never moves it backwards), and the event is recorded unless the
     * message became that event already (one {@code message_opened} per message, however many reports).
     *
     * @return whether the status moved
     */
    public Uni<Boolean> report(SqlConnection c, String id, List<String> from, String to, String error, String detail,
            String event, JsonObject properties, Instant now) {
        Uni<Boolean> moved = to == null ? Uni.createFrom().item(false) : c.preparedQuery("""
                UPDATE message SET status = $3, last_error = COALESCE($4, last_error), updated_at = $5
                WHERE id = $1 AND status = ANY($2)""").execute(Tuple.of(id, texts(from), to, error, utc(now)))
                .chain(rows -> rows.rowCount() == 0 ? Uni.createFrom().item(false)
                        : status(c, id, to, now, detail).replaceWith(true));
        return event == null ? moved : moved.call(() -> event(c, id, event, properties, now));
    }

    private Uni<Void> status(SqlConnection c, String id, String status, Instant at, String detail) {
        return c.preparedQuery("INSERT INTO message_status (message_id, status, at, detail) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(id, status, utc(at), detail)).replaceWithVoid();
    }

    private Uni<Void> event(SqlConnection c, String id, String type, JsonObject properties, Instant at) {
        return c.preparedQuery("INSERT INTO message_event (id, message_id, type, at, next_attempt_at, properties) "
                + "VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (id) DO NOTHING")
                .execute(Tuple.of(id + ":" + type, id, type, utc(at), properties)).replaceWithVoid();
    }

    /** Takes up to {@code limit} events due to be recorded, with their messages. */
    public Uni<List<PendingEvent>> pendingEvents(SqlConnection c, int limit, Instant now) {
        return c.preparedQuery("SELECT e.id, e.type, e.at, e.attempts, e.properties, " + prefixed("m")
                + " FROM message_event e "
                + "JOIN message m ON m.id = e.message_id WHERE NOT e.recorded AND e.next_attempt_at <= $1 "
                + "ORDER BY e.next_attempt_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED").execute(Tuple.of(utc(now), limit))
                .map(rows -> {
                    List<PendingEvent> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new PendingEvent(r.getString(0), r.getString(1), instant(r.getOffsetDateTime(2)),
                                r.getInteger(3), (JsonObject) r.getValue(4), stored(r, 5)));
                    }
                    return out;
                });
    }

    /** Marks events recorded. */
    public Uni<Void> recorded(SqlConnection c, List<String> ids) {
        return c.preparedQuery("UPDATE message_event SET recorded = true, last_error = NULL WHERE id = ANY($1)")
                .execute(Tuple.of(texts(ids))).replaceWithVoid();
    }

    /** Puts events off until {@code next}, with the reason. */
    public Uni<Void> later(SqlConnection c, List<String> ids, Instant next, String error) {
        return c.preparedQuery("UPDATE message_event SET attempts = attempts + 1, next_attempt_at = $2, "
                + "last_error = $3 WHERE id = ANY($1)").execute(Tuple.of(texts(ids), utc(next), error))
                .replaceWithVoid();
    }

    /** How many messages wait to be handed off, and how many events to be recorded. */
    public Uni<long[]> backlog() {
        return pool.query("SELECT (SELECT count(*) FROM message WHERE status = 'queued'), "
                + "(SELECT count(*) FROM message_event WHERE NOT recorded)").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new long[] { r.getLong(0), r.getLong(1) };
                });
    }

    private static String prefixed(String alias) {
        StringBuilder out = new StringBuilder();
        for (String column : COLUMNS.split(", ")) {
            out.append(out.isEmpty() ? "" : ", ").append(alias).append('.').append(column);
        }
        return out.toString();
    }

    private static List<Stored> all(RowSet<Row> rows) {
        List<Stored> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(stored(r));
        }
        return out;
    }

    private static Stored stored(Row r) {
        return stored(r, 0);
    }

    private static Stored stored(Row r, int at) {
        JsonObject content = (JsonObject) r.getValue(at + 5);
        Map<String, String> data = new LinkedHashMap<>();
        JsonObject d = content.getJsonObject("data");
        if (d != null) {
            d.forEach(e -> data.put(e.getKey(), String.valueOf(e.getValue())));
        }
        Content c = new Content(content.getString("subject"), content.getString("html"), content.getString("text"),
                content.getString("title"), content.getString("body"), data);
        Message m = new Message(r.getString(at), r.getString(at + 1), r.getString(at + 2), r.getString(at + 3),
                r.getString(at + 4), c, r.getString(at + 6), list(r.getArrayOfStrings(at + 7)), r.getInteger(at + 8),
                r.getString(at + 9), r.getString(at + 10), r.getString(at + 11), r.getString(at + 12),
                r.getInteger(at + 13), instant(r.getOffsetDateTime(at + 14)), instant(r.getOffsetDateTime(at + 15)),
                r.getString(at + 16), instant(r.getOffsetDateTime(at + 17)), r.getString(at + 20));
        return new Stored(m, r.getString(at + 18), r.getString(at + 19));
    }

    private static JsonObject json(Content c) {
        JsonObject o = new JsonObject();
        put(o, "subject", c.subject());
        put(o, "html", c.html());
        put(o, "text", c.text());
        put(o, "title", c.title());
        put(o, "body", c.body());
        if (!c.data().isEmpty()) {
            JsonObject data = new JsonObject();
            c.data().forEach(data::put);
            o.put("data", data);
        }
        return o;
    }

    private static void put(JsonObject o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }
}

package dev.rapport.suppression.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.list;
import static dev.rapport.common.db.SqlValues.texts;
import static dev.rapport.common.db.SqlValues.times;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.common.error.RapportException;
import dev.rapport.suppression.AddressKind;
import dev.rapport.suppression.AddressStatus;
import dev.rapport.suppression.ConsentStatus;
import dev.rapport.suppression.Policy;
import dev.rapport.suppression.StateChanges;
import dev.rapport.suppression.SubjectState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The state decisions read, in PostgreSQL: reads for many people at once (one statement per table, run side by side),
 * and the set-based writes of the event-stream consumer, merges and erasures. Every write is an upsert that keeps the
 * latest by the events' own times, so replays and reordering leave the same rows.
 */
@ApplicationScoped
public class StateStore {

    /** A subject row: who a profile id is now. */
    public record Subject(String profileId, String mergedInto, boolean erased) {
    }

    private final Pool pool;

    public StateStore(Pool pool) {
        this.pool = pool;
    }

    // ------------------------------------------------------------------------------------------------- reads ---

    /**
     * The state of each requested profile id: its survivor's when the id was merged away, an unknown state when no
     * event of it was seen. Reads only what can still apply at {@code now} under the policy, in one statement (a second
     * one only for the survivors of merged-away ids).
     */
    public Uni<Map<String, SubjectState>> load(Collection<String> ids, Policy policy, Instant now) {
        Set<String> requested = new LinkedHashSet<>(ids);
        return read(requested, policy, now).chain(first -> {
            Set<String> survivors = new TreeSet<>();
            for (SubjectRow s : first.subjects().values()) {
                if (s.mergedInto() != null && !requested.contains(s.mergedInto())) {
                    survivors.add(s.mergedInto());
                }
            }
            if (survivors.isEmpty()) {
                return Uni.createFrom().item(assemble(requested, first));
            }
            return read(survivors, policy, now).map(more -> assemble(requested, first.plus(more)));
        });
    }

    private record SubjectRow(String profileId, String mergedInto, ZoneId timezone, Instant erasedAt,
            String erasedEventId, boolean seen, List<SubjectState.Address> addresses,
            List<SubjectState.Consent> consents) {
    }

    /** The rows found, by profile id. */
    private record Found(Map<String, SubjectRow> subjects, Map<String, List<SubjectState.Purchase>> purchases,
            Map<String, List<SubjectState.Decline>> declines, Map<String, List<SubjectState.Ticket>> tickets,
            Map<String, SubjectState.DoNotContact> doNotContact) {

        Found() {
            this(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
        }

        Found plus(Found o) {
            Found out = new Found();
            for (Found r : List.of(this, o)) {
                out.subjects.putAll(r.subjects);
                out.purchases.putAll(r.purchases);
                out.declines.putAll(r.declines);
                out.tickets.putAll(r.tickets);
                out.doNotContact.putAll(r.doNotContact);
            }
            return out;
        }
    }

    private static Map<String, SubjectState> assemble(Set<String> requested, Found d) {
        Map<String, SubjectState> out = new HashMap<>();
        for (String id : requested) {
            SubjectRow row = d.subjects().get(id);
            String survivor = row != null && row.mergedInto() != null ? row.mergedInto() : id;
            SubjectRow s = d.subjects().get(survivor);
            out.put(id, new SubjectState(survivor, s != null && s.seen(), s == null ? null : s.timezone(),
                    s == null ? null : s.erasedAt(), s == null ? null : s.erasedEventId(),
                    d.doNotContact().get(survivor), s == null ? List.of() : s.addresses(),
                    d.purchases().getOrDefault(survivor, List.of()), d.declines().getOrDefault(survivor, List.of()),
                    d.tickets().getOrDefault(survivor, List.of()), s == null ? List.of() : s.consents()));
        }
        return out;
    }

    /**
     * Everything of these people in one statement: the subject rows (addresses and consents included), and the rows of
     * the other tables only for the people whose subject row says they have some. Each table's rows come in one common
     * shape (a tag, the profile id, six texts, two times, two text arrays).
     */
    private static final String READ = """
            WITH s AS (
                SELECT profile_id, merged_into, timezone, erased_event_id, addresses::text AS addresses,
                       consents::text AS consents, seen, erased_at, holds
                FROM subject WHERE profile_id = ANY($1))
            SELECT 's', profile_id, merged_into, timezone, erased_event_id, addresses, consents, seen::text, erased_at,
                   NULL::timestamptz, NULL::text[], NULL::text[]
            FROM s
            UNION ALL
            SELECT 'p', profile_id, order_id, placed_event_id, status, cancelled_event_id, NULL, NULL, placed_at,
                   cancelled_at, product_ids, categories
            FROM purchase WHERE profile_id = ANY(ARRAY(SELECT profile_id FROM s WHERE holds & 1 <> 0))
                AND cancelled_at IS NULL AND placed_at > $2
            UNION ALL
            SELECT 'd', profile_id, kind, value, declined_event_id, NULL, NULL, NULL, declined_at, accepted_at, NULL, NULL
            FROM decline WHERE profile_id = ANY(ARRAY(SELECT profile_id FROM s WHERE holds & 2 <> 0)) AND declined_at > $3
            UNION ALL
            SELECT 't', profile_id, ticket_id, opened_event_id, resolved_event_id, NULL, NULL, NULL, opened_at,
                   resolved_at, NULL, NULL
            FROM ticket WHERE profile_id = ANY(ARRAY(SELECT profile_id FROM s WHERE holds & 4 <> 0))
                AND (resolved_at IS NULL OR opened_at > resolved_at OR resolved_at > $4)
            UNION ALL
            SELECT 'n', profile_id, reason, source, NULL, NULL, NULL, NULL, at, NULL, NULL, NULL
            FROM do_not_contact WHERE profile_id = ANY(ARRAY(SELECT profile_id FROM s WHERE holds & 8 <> 0))""";

    /** Brings the decision columns of these subjects up to date with their tables (the function is in V3). */
    private static final String REFRESH = "SELECT refresh_decision_columns($1)";

    private Uni<Found> read(Collection<String> ids, Policy p, Instant now) {
        return pool.preparedQuery(READ).execute(Tuple.of(texts(ids), utc(now.minus(p.purchasedPeriod())),
                utc(now.minus(p.declinedPeriod())), utc(now.minus(p.ticketGracePeriod())))).map(rows -> {
                    Found out = new Found();
                    for (Row r : rows) {
                        String id = r.getString(1);
                        String a = r.getString(2);
                        String b = r.getString(3);
                        String c = r.getString(4);
                        String d = r.getString(5);
                        Instant t1 = instant(r.getOffsetDateTime(8));
                        Instant t2 = instant(r.getOffsetDateTime(9));
                        switch (r.getString(0)) {
                            case "s" -> out.subjects.put(id, new SubjectRow(id, a, zone(b), t1, c,
                                    Boolean.parseBoolean(r.getString(7)), addresses(d), consents(r.getString(6))));
                            case "p" -> add(out.purchases, id, new SubjectState.Purchase(a, list(r.getArrayOfStrings(10)),
                                    list(r.getArrayOfStrings(11)), t1, b, c, t2, d));
                            case "d" -> add(out.declines, id, new SubjectState.Decline(a, b, t1, c, t2));
                            case "t" -> add(out.tickets, id, new SubjectState.Ticket(a, t1, b, t2, c));
                            case "n" -> out.doNotContact.put(id, new SubjectState.DoNotContact(a, b, t1));
                            default -> throw new IllegalStateException("unknown row tag " + r.getString(0));
                        }
                    }
                    return out;
                });
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The addresses column: [kind, value, status, status_at, status_event_id, seen_at] each, times in epoch ms. */
    private static List<SubjectState.Address> addresses(String json) {
        List<SubjectState.Address> out = new ArrayList<>();
        for (JsonNode a : tree(json)) {
            AddressKind.fromIdentifier(a.path(0).asText()).ifPresent(kind -> out.add(new SubjectState.Address(kind,
                    a.path(1).asText(), time(a.path(5)), AddressStatus.fromDb(a.path(2).asText()), time(a.path(3)),
                    a.path(4).isNull() ? null : a.path(4).asText())));
        }
        return out;
    }

    /** The consents column: [channel, topic, status, source, at, event_id] each, the time in epoch ms. */
    private static List<SubjectState.Consent> consents(String json) {
        List<SubjectState.Consent> out = new ArrayList<>();
        for (JsonNode c : tree(json)) {
            out.add(new SubjectState.Consent(c.path(0).asText(), c.path(1).asText(),
                    ConsentStatus.fromApiName(c.path(2).asText()).orElseThrow(), c.path(3).asText(), time(c.path(4)),
                    c.path(5).asText()));
        }
        return out;
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? JSON.createArrayNode() : JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable decision column", e);
        }
    }

    /** A time of a decision column (epoch milliseconds: cheaper to read than ISO text), or null. */
    private static Instant time(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : Instant.ofEpochMilli(node.asLong());
    }

    private static <T> void add(Map<String, List<T>> map, String id, T item) {
        map.computeIfAbsent(id, k -> new ArrayList<>()).add(item);
    }

    private static ZoneId zone(String id) {
        try {
            return id == null ? null : ZoneId.of(id);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /**
     * Who each of these profile ids is now, locked until the transaction ends (see {@link #lockForChange}): what a run
     * of facts reads before it writes.
     */
    public Uni<Map<String, Subject>> lockSubjects(SqlConnection c, Collection<String> ids, Instant now) {
        return lockForChange(c, ids, now);
    }

    // ------------------------------------------------------------------------------------------------ writes ---

    private static final String ADDRESS_STATUS_LATEST = """
            status = CASE WHEN EXCLUDED.status_at > a.status_at OR a.status_at IS NULL AND EXCLUDED.status_at IS NOT NULL
                          THEN EXCLUDED.status ELSE a.status END,
            status_event_id = CASE WHEN EXCLUDED.status_at > a.status_at
                                        OR a.status_at IS NULL AND EXCLUDED.status_at IS NOT NULL
                                   THEN EXCLUDED.status_event_id ELSE a.status_event_id END,
            status_at = GREATEST(a.status_at, EXCLUDED.status_at)""";

    private static final String PURCHASE_LATEST = """
            ON CONFLICT (profile_id, order_id) DO UPDATE SET
            product_ids = CASE WHEN EXCLUDED.placed_at > p.placed_at OR p.placed_at IS NULL AND EXCLUDED.placed_at IS NOT NULL
                               THEN EXCLUDED.product_ids ELSE p.product_ids END,
            categories = CASE WHEN EXCLUDED.placed_at > p.placed_at OR p.placed_at IS NULL AND EXCLUDED.placed_at IS NOT NULL
                              THEN EXCLUDED.categories ELSE p.categories END,
            placed_event_id = CASE WHEN EXCLUDED.placed_at > p.placed_at
                                        OR p.placed_at IS NULL AND EXCLUDED.placed_at IS NOT NULL
                                   THEN EXCLUDED.placed_event_id ELSE p.placed_event_id END,
            placed_at = GREATEST(p.placed_at, EXCLUDED.placed_at),
            status = CASE WHEN EXCLUDED.status_at > p.status_at OR p.status_at IS NULL AND EXCLUDED.status_at IS NOT NULL
                          THEN EXCLUDED.status ELSE p.status END,
            status_at = GREATEST(p.status_at, EXCLUDED.status_at),
            cancelled_event_id = CASE WHEN EXCLUDED.cancelled_at > p.cancelled_at
                                           OR p.cancelled_at IS NULL AND EXCLUDED.cancelled_at IS NOT NULL
                                      THEN EXCLUDED.cancelled_event_id ELSE p.cancelled_event_id END,
            cancelled_at = GREATEST(p.cancelled_at, EXCLUDED.cancelled_at)""";

    private static final String DECLINE_LATEST = """
            ON CONFLICT (profile_id, kind, value) DO UPDATE SET
            declined_event_id = CASE WHEN EXCLUDED.declined_at > d.declined_at
                                          OR d.declined_at IS NULL AND EXCLUDED.declined_at IS NOT NULL
                                     THEN EXCLUDED.declined_event_id ELSE d.declined_event_id END,
            declined_at = GREATEST(d.declined_at, EXCLUDED.declined_at),
            accepted_event_id = CASE WHEN EXCLUDED.accepted_at > d.accepted_at
                                          OR d.accepted_at IS NULL AND EXCLUDED.accepted_at IS NOT NULL
                                     THEN EXCLUDED.accepted_event_id ELSE d.accepted_event_id END,
            accepted_at = GREATEST(d.accepted_at, EXCLUDED.accepted_at)""";

    private static final String TICKET_LATEST = """
            ON CONFLICT (profile_id, ticket_id) DO UPDATE SET
            opened_event_id = CASE WHEN EXCLUDED.opened_at > t.opened_at
                                        OR t.opened_at IS NULL AND EXCLUDED.opened_at IS NOT NULL
                                   THEN EXCLUDED.opened_event_id ELSE t.opened_event_id END,
            opened_at = GREATEST(t.opened_at, EXCLUDED.opened_at),
            resolved_event_id = CASE WHEN EXCLUDED.resolved_at > t.resolved_at
                                          OR t.resolved_at IS NULL AND EXCLUDED.resolved_at IS NOT NULL
                                     THEN EXCLUDED.resolved_event_id ELSE t.resolved_event_id END,
            resolved_at = GREATEST(t.resolved_at, EXCLUDED.resolved_at)""";

    private static final String CONSENT_LATEST = """
            ON CONFLICT (profile_id, channel, topic) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
                at = EXCLUDED.at, event_id = EXCLUDED.event_id
            WHERE EXCLUDED.at > c.at OR EXCLUDED.at = c.at AND EXCLUDED.event_id > c.event_id""";

    /**
     * Writes what a run of events (already re-keyed to survivors, erased profiles left out) changes, inside the
     * caller's transaction. The statements go out together on the connection, in this order.
     */
    public Uni<Void> apply(SqlConnection c, StateChanges changes, Instant now, String recordedBy) {
        List<Uni<Void>> all = new ArrayList<>();
        // the people whose decision columns must be refreshed: every fact but a known address seen again
        Set<String> touched = new java.util.concurrent.ConcurrentSkipListSet<>();
        changes.addressStatuses().forEach(f -> touched.add(f.profileId()));
        changes.purchases().forEach(f -> touched.add(f.profileId()));
        changes.declines().forEach(f -> touched.add(f.profileId()));
        changes.tickets().forEach(f -> touched.add(f.profileId()));
        changes.consents().forEach(f -> touched.add(f.profileId()));
        if (!changes.subjects().isEmpty()) {
            Collection<StateChanges.SubjectFact> s = changes.subjects();
            all.add(c.preparedQuery("""
                    INSERT INTO subject AS s (profile_id, first_seen, updated_at, timezone, timezone_at)
                    SELECT p, f, $5, z, zt FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::timestamptz[])
                         AS u(p, f, z, zt)
                    ON CONFLICT (profile_id) DO UPDATE SET
                        seen = true,
                        first_seen = CASE WHEN s.seen THEN LEAST(s.first_seen, EXCLUDED.first_seen)
                                          ELSE EXCLUDED.first_seen END,
                        timezone = CASE WHEN EXCLUDED.timezone_at > s.timezone_at
                                             OR s.timezone_at IS NULL AND EXCLUDED.timezone_at IS NOT NULL
                                        THEN EXCLUDED.timezone ELSE s.timezone END,
                        timezone_at = GREATEST(s.timezone_at, EXCLUDED.timezone_at),
                        updated_at = EXCLUDED.updated_at
                    WHERE NOT s.seen OR EXCLUDED.first_seen < s.first_seen OR EXCLUDED.timezone_at > s.timezone_at
                       OR s.timezone_at IS NULL AND EXCLUDED.timezone_at IS NOT NULL""")
                    .execute(Tuple.of(texts(s, StateChanges.SubjectFact::profileId),
                            times(s, StateChanges.SubjectFact::firstSeen), texts(s, StateChanges.SubjectFact::timezone),
                            times(s, StateChanges.SubjectFact::timezoneAt), utc(now)))
                    .replaceWithVoid());
        }
        if (!changes.addresses().isEmpty()) {
            Collection<StateChanges.AddressSeen> a = changes.addresses();
            all.add(c.preparedQuery("""
                    INSERT INTO address AS a (profile_id, kind, value, seen_at)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
                    ON CONFLICT (profile_id, kind, value) DO UPDATE SET seen_at = EXCLUDED.seen_at
                    WHERE EXCLUDED.seen_at < a.seen_at
                    RETURNING profile_id""")
                    .execute(Tuple.of(texts(a, StateChanges.AddressSeen::profileId),
                            texts(a, x -> x.kind().identifier()), texts(a, StateChanges.AddressSeen::value),
                            times(a, StateChanges.AddressSeen::seenAt)))
                    .invoke(rows -> rows.forEach(r -> touched.add(r.getString(0))))
                    .replaceWithVoid());
        }
        List<StateChanges.AddressStatusFact> named = changes.addressStatuses().stream().filter(f -> f.value() != null)
                .toList();
        List<StateChanges.AddressStatusFact> every = changes.addressStatuses().stream().filter(f -> f.value() == null)
                .toList();
        if (!named.isEmpty()) {
            all.add(c.preparedQuery("""
                    INSERT INTO address AS a (profile_id, kind, value, seen_at, status, status_at, status_event_id)
                    SELECT p, k, v, t, s, t, e
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                         AS u(p, k, v, s, t, e)
                    ON CONFLICT (profile_id, kind, value) DO UPDATE SET
                    """ + ADDRESS_STATUS_LATEST)
                    .execute(Tuple.from(new Object[] { texts(named, StateChanges.AddressStatusFact::profileId),
                            texts(named, f -> f.kind().identifier()), texts(named, StateChanges.AddressStatusFact::value),
                            texts(named, f -> f.status().dbName()), times(named, StateChanges.AddressStatusFact::at),
                            texts(named, StateChanges.AddressStatusFact::eventId) }))
                    .replaceWithVoid());
        }
        if (!every.isEmpty()) {
            all.add(c.preparedQuery("""
                    INSERT INTO address_kind_status AS k (profile_id, kind, status, status_at, status_event_id)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
                    ON CONFLICT (profile_id, kind) DO UPDATE SET status = EXCLUDED.status,
                        status_at = EXCLUDED.status_at, status_event_id = EXCLUDED.status_event_id
                    WHERE EXCLUDED.status_at > k.status_at""")
                    .execute(Tuple.of(texts(every, StateChanges.AddressStatusFact::profileId),
                            texts(every, f -> f.kind().identifier()), texts(every, f -> f.status().dbName()),
                            times(every, StateChanges.AddressStatusFact::at),
                            texts(every, StateChanges.AddressStatusFact::eventId)))
                    .replaceWithVoid());
        }
        Set<String> sighted = new TreeSet<>();
        every.forEach(f -> sighted.add(f.profileId()));
        changes.addresses().forEach(a -> sighted.add(a.profileId()));
        if (!sighted.isEmpty()) {
            // after the sightings above: a failure that named no address reaches the addresses known when it happened,
            // not those first seen later (a new push token after an old one failed), whichever arrived first
            all.add(c.preparedQuery("""
                    UPDATE address a SET status = k.status, status_at = k.status_at, status_event_id = k.status_event_id
                    FROM address_kind_status k
                    WHERE k.profile_id = ANY($1) AND a.profile_id = k.profile_id AND a.kind = k.kind
                      AND a.seen_at <= k.status_at AND (a.status_at IS NULL OR k.status_at > a.status_at)
                    RETURNING a.profile_id""")
                    .execute(Tuple.of(texts(sighted)))
                    .invoke(rows -> rows.forEach(r -> touched.add(r.getString(0))))
                    .replaceWithVoid());
        }
        if (!changes.purchases().isEmpty()) {
            Collection<StateChanges.PurchaseFact> p = changes.purchases();
            all.add(c.preparedQuery("""
                    INSERT INTO purchase AS p (profile_id, order_id, product_ids, categories, placed_at, placed_event_id,
                                               status, status_at, cancelled_at, cancelled_event_id)
                    SELECT u.p, u.o, string_to_array(u.products, chr(31)), string_to_array(u.categories, chr(31)),
                           u.placed, u.placed_event, u.status, u.status_at, u.cancelled, u.cancelled_event
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
                                $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[])
                         AS u(p, o, products, categories, placed, placed_event, status, status_at, cancelled,
                              cancelled_event)
                    """ + PURCHASE_LATEST)
                    .execute(Tuple.from(new Object[] { texts(p, StateChanges.PurchaseFact::profileId),
                            texts(p, StateChanges.PurchaseFact::orderId), texts(p, f -> joined(f.productIds())),
                            texts(p, f -> joined(f.categories())), times(p, StateChanges.PurchaseFact::placedAt),
                            texts(p, StateChanges.PurchaseFact::placedEventId), texts(p, StateChanges.PurchaseFact::status),
                            times(p, StateChanges.PurchaseFact::statusAt), times(p, StateChanges.PurchaseFact::cancelledAt),
                            texts(p, StateChanges.PurchaseFact::cancelledEventId) }))
                    .replaceWithVoid());
        }
        if (!changes.declines().isEmpty()) {
            Collection<StateChanges.DeclineFact> d = changes.declines();
            all.add(c.preparedQuery("""
                    INSERT INTO decline AS d (profile_id, kind, value, declined_at, declined_event_id, accepted_at,
                                              accepted_event_id)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[],
                                         $6::timestamptz[], $7::text[])
                    """ + DECLINE_LATEST)
                    .execute(Tuple.from(new Object[] { texts(d, StateChanges.DeclineFact::profileId),
                            texts(d, StateChanges.DeclineFact::kind), texts(d, StateChanges.DeclineFact::value),
                            times(d, StateChanges.DeclineFact::declinedAt), texts(d, StateChanges.DeclineFact::declinedEventId),
                            times(d, StateChanges.DeclineFact::acceptedAt),
                            texts(d, StateChanges.DeclineFact::acceptedEventId) }))
                    .replaceWithVoid());
        }
        if (!changes.tickets().isEmpty()) {
            Collection<StateChanges.TicketFact> t = changes.tickets();
            all.add(c.preparedQuery("""
                    INSERT INTO ticket AS t (profile_id, ticket_id, opened_at, opened_event_id, resolved_at,
                                             resolved_event_id)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[],
                                         $6::text[])
                    """ + TICKET_LATEST)
                    .execute(Tuple.of(texts(t, StateChanges.TicketFact::profileId),
                            texts(t, StateChanges.TicketFact::ticketId), times(t, StateChanges.TicketFact::openedAt),
                            texts(t, StateChanges.TicketFact::openedEventId), times(t, StateChanges.TicketFact::resolvedAt),
                            texts(t, StateChanges.TicketFact::resolvedEventId)))
                    .replaceWithVoid());
        }
        if (!changes.consents().isEmpty()) {
            Collection<StateChanges.ConsentFact> k = changes.consents();
            all.add(c.preparedQuery("""
                    INSERT INTO consent AS c (profile_id, channel, topic, status, source, at, event_id)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                                         $7::text[])
                    """ + CONSENT_LATEST)
                    .execute(Tuple.from(new Object[] { texts(k, StateChanges.ConsentFact::profileId),
                            texts(k, StateChanges.ConsentFact::channel), texts(k, StateChanges.ConsentFact::topic),
                            texts(k, f -> f.status().apiName()), texts(k, StateChanges.ConsentFact::source),
                            times(k, StateChanges.ConsentFact::at), texts(k, StateChanges.ConsentFact::eventId) }))
                    .replaceWithVoid());
            List<StateChanges.ConsentFact> h = changes.consentHistory();
            all.add(c.preparedQuery("""
                    INSERT INTO consent_history (profile_id, channel, topic, status, source, at, event_id, recorded_at,
                                                 recorded_by)
                    SELECT u.*, $8, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                                   $6::timestamptz[], $7::text[]) AS u
                    ON CONFLICT (event_id) DO NOTHING""")
                    .execute(Tuple.from(new Object[] { texts(h, StateChanges.ConsentFact::profileId),
                            texts(h, StateChanges.ConsentFact::channel), texts(h, StateChanges.ConsentFact::topic),
                            texts(h, f -> f.status().apiName()), texts(h, StateChanges.ConsentFact::source),
                            times(h, StateChanges.ConsentFact::at), texts(h, StateChanges.ConsentFact::eventId), utc(now),
                            recordedBy }))
                    .replaceWithVoid());
        }
        if (all.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(all).andFailFast().chain(() -> refresh(c, touched));
    }

    /** Refreshes the decision columns of these subjects (V3) from their tables. */
    public Uni<Void> refresh(SqlConnection c, Collection<String> profileIds) {
        if (profileIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery(REFRESH).execute(Tuple.of(texts(new TreeSet<>(profileIds)))).replaceWithVoid();
    }

    /** Makes sure a subject row exists (not seen) for a consent or do-not-contact entry recorded through the API. */
    public Uni<Void> ensureSubject(SqlConnection c, String profileId, Instant now) {
        return c.preparedQuery("""
                INSERT INTO subject (profile_id, first_seen, updated_at, seen) VALUES ($1, $2, $2, false)
                ON CONFLICT (profile_id) DO NOTHING""").execute(Tuple.of(profileId, utc(now))).replaceWithVoid();
    }

    /** Product and category lists travel as one text each, joined by the unit separator (arrays of arrays differ in size). */
    private static String joined(List<String> values) {
        return String.join("\u001f", values);
    }

    /**
     * Moves everything of a merged-away profile to its survivor, combining rows by the latest times, and points the
     * merged profile (and those merged into it before) at the survivor. Inside the caller's transaction, with both
     * subject rows locked.
     */
    public Uni<Void> merge(SqlConnection c, String merged, String survivor, Instant at) {
        Tuple ids = Tuple.of(merged, survivor);
        List<String> statements = List.of("""
                INSERT INTO subject (profile_id, first_seen, updated_at, seen) SELECT $2, first_seen, first_seen, seen
                FROM subject WHERE profile_id = $1 ON CONFLICT (profile_id) DO NOTHING""",
                """
                UPDATE subject s SET first_seen = LEAST(s.first_seen, m.first_seen), seen = s.seen OR m.seen,
                    timezone = CASE WHEN m.timezone_at > s.timezone_at OR s.timezone_at IS NULL AND m.timezone_at IS NOT NULL
                                    THEN m.timezone ELSE s.timezone END,
                    timezone_at = GREATEST(s.timezone_at, m.timezone_at)
                FROM subject m WHERE s.profile_id = $2 AND m.profile_id = $1""",
                """
                INSERT INTO address AS a (profile_id, kind, value, seen_at, status, status_at, status_event_id)
                SELECT $2, kind, value, seen_at, status, status_at, status_event_id FROM address WHERE profile_id = $1
                ON CONFLICT (profile_id, kind, value) DO UPDATE SET seen_at = LEAST(a.seen_at, EXCLUDED.seen_at),
                """ + ADDRESS_STATUS_LATEST,
                """
                INSERT INTO purchase AS p (profile_id, order_id, product_ids, categories, placed_at, placed_event_id,
                                           status, status_at, cancelled_at, cancelled_event_id)
                SELECT $2, order_id, product_ids, categories, placed_at, placed_event_id, status, status_at,
                       cancelled_at, cancelled_event_id FROM purchase WHERE profile_id = $1
                """ + PURCHASE_LATEST,
                """
                INSERT INTO decline AS d (profile_id, kind, value, declined_at, declined_event_id, accepted_at,
                                          accepted_event_id)
                SELECT $2, kind, value, declined_at, declined_event_id, accepted_at, accepted_event_id FROM decline
                WHERE profile_id = $1
                """ + DECLINE_LATEST,
                """
                INSERT INTO ticket AS t (profile_id, ticket_id, opened_at, opened_event_id, resolved_at, resolved_event_id)
                SELECT $2, ticket_id, opened_at, opened_event_id, resolved_at, resolved_event_id FROM ticket
                WHERE profile_id = $1
                """ + TICKET_LATEST,
                """
                INSERT INTO consent AS c (profile_id, channel, topic, status, source, at, event_id)
                SELECT $2, channel, topic, status, source, at, event_id FROM consent WHERE profile_id = $1
                """ + CONSENT_LATEST,
                """
                INSERT INTO do_not_contact (profile_id, reason, source, at, recorded_by)
                SELECT $2, reason, source, at, recorded_by FROM do_not_contact WHERE profile_id = $1
                ON CONFLICT (profile_id) DO NOTHING""",
                "UPDATE consent_history SET profile_id = $2 WHERE profile_id = $1",
                "UPDATE decision_audit SET profile_id = $2 WHERE profile_id = $1");
        List<Uni<Void>> all = new ArrayList<>();
        for (String sql : statements) {
            all.add(c.preparedQuery(sql).execute(ids).replaceWithVoid());
        }
        // both ids get a subject row even when no event of them was seen yet: the merged one becomes a pointer to the
        // survivor, so its events arriving later (from another partition) land on the survivor
        all.add(c.preparedQuery("""
                INSERT INTO subject (profile_id, first_seen, updated_at, seen)
                SELECT id, $3, $3, false FROM unnest(ARRAY[$2, $1]) AS id ON CONFLICT (profile_id) DO NOTHING""")
                .execute(Tuple.of(merged, survivor, utc(at))).replaceWithVoid());
        // a failure that named no address was about the merged-away person's addresses, which move with their own
        // status: moved, it would also reach the survivor's, so it is dropped
        for (String table : List.of("address", "address_kind_status", "purchase", "decline", "ticket", "consent",
                "do_not_contact")) {
            all.add(c.preparedQuery("DELETE FROM " + table + " WHERE profile_id = $1").execute(Tuple.of(merged))
                    .replaceWithVoid());
        }
        all.add(c.preparedQuery("""
                UPDATE subject SET merged_into = $2, merged_at = $3, updated_at = $3, timezone = NULL, timezone_at = NULL,
                    addresses = '[]', consents = '[]', holds = 0
                WHERE profile_id = $1 OR merged_into = $1""").execute(Tuple.of(merged, survivor, utc(at)))
                .replaceWithVoid());
        return Uni.join().all(all).andFailFast().chain(() -> refresh(c, List.of(survivor)));
    }

    /**
     * Locks the subject rows of these ids (exclusively, in id order) and answers who they are, making an unseen row
     * first for an id that has none: a row that does not exist cannot be locked, and a merge of an id racing with the
     * first facts of that id (they travel on other partitions, perhaps to another replica) would otherwise either
     * miss the facts when it moves the id's rows or leave them behind its pointer. With the row, one waits for the
     * other and reads who the id is after it.
     */
    public Uni<Map<String, Subject>> lockForChange(SqlConnection c, Collection<String> ids, Instant now) {
        String[] sorted = texts(new TreeSet<>(ids));
        return c.preparedQuery("""
                INSERT INTO subject (profile_id, first_seen, updated_at, seen)
                SELECT id, $2, $2, false FROM unnest($1::text[]) AS id ON CONFLICT (profile_id) DO NOTHING""")
                .execute(Tuple.of(sorted, utc(now)))
                .chain(() -> c.preparedQuery("""
                        SELECT profile_id, merged_into, erased_at IS NOT NULL FROM subject WHERE profile_id = ANY($1)
                        ORDER BY profile_id FOR UPDATE""").execute(Tuple.of(sorted)))
                .map(rows -> {
                    Map<String, Subject> out = new HashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString(0), new Subject(r.getString(0), r.getString(1), r.getBoolean(2)));
                    }
                    return out;
                });
    }

    /**
     * Drops everything held about these profiles (state, consents and their history, do-not-contact, decision audit)
     * and keeps only their ids, marked erased, so later events of them are ignored and decisions answer {@code erased}.
     */
    public Uni<Void> erase(SqlConnection c, Collection<String> ids, Instant at, String eventId) {
        Tuple byId = Tuple.of(texts(ids));
        List<Uni<Void>> all = new ArrayList<>();
        for (String table : List.of("address", "address_kind_status", "purchase", "decline", "ticket", "consent",
                "consent_history", "do_not_contact", "decision_audit")) {
            all.add(c.preparedQuery("DELETE FROM " + table + " WHERE profile_id = ANY($1)").execute(byId)
                    .replaceWithVoid());
        }
        all.add(c.preparedQuery("""
                INSERT INTO subject AS s (profile_id, first_seen, updated_at, erased_at, erased_event_id)
                SELECT id, $2, $2, $2, $3 FROM unnest($1::text[]) AS id
                ON CONFLICT (profile_id) DO UPDATE SET erased_at = COALESCE(s.erased_at, EXCLUDED.erased_at),
                    erased_event_id = COALESCE(s.erased_event_id, EXCLUDED.erased_event_id), merged_into = NULL,
                    timezone = NULL, timezone_at = NULL, updated_at = EXCLUDED.updated_at, addresses = '[]',
                    consents = '[]', holds = 0""")
                .execute(Tuple.of(texts(ids), utc(at), eventId)).replaceWithVoid());
        return Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    /**
     * The subject a statement recorded through the API belongs to, locked for the caller's transaction: the survivor
     * of a merged-away id; refused as not found when the person was erased, since nothing kept for them would ever be
     * read again.
     */
    public Uni<String> writable(SqlConnection c, String id, Instant now) {
        return lockForChange(c, List.of(id), now).chain(found -> {
            Subject s = found.get(id);
            if (s.erased()) {
                throw erased(id);
            }
            if (s.mergedInto() == null) {
                return Uni.createFrom().item(id);
            }
            return lockForChange(c, List.of(s.mergedInto()), now).map(survivor -> {
                Subject v = survivor.get(s.mergedInto());
                if (v != null && v.erased()) {
                    throw erased(id);
                }
                return s.mergedInto();
            });
        });
    }

    private static RapportException erased(String id) {
        return RapportException.notFound("profile_erased",
                "Profile " + id + " was erased; nothing is recorded for it.");
    }

    /** Who a profile id is now: itself, its survivor, or null when never seen. */
    public Uni<Subject> subject(String id) {
        return pool.preparedQuery("SELECT profile_id, merged_into, erased_at IS NOT NULL FROM subject WHERE profile_id = $1")
                .execute(Tuple.of(id)).map(rows -> {
                    for (Row r : rows) {
                        return new Subject(r.getString(0), r.getString(1), r.getBoolean(2));
                    }
                    return null;
                });
    }

    /** The survivor of a profile id (itself unless it was merged away). */
    public Uni<String> survivor(String id) {
        return subject(id).map(s -> s == null || s.mergedInto() == null ? id : s.mergedInto());
    }

    /** The pool, for transactions of the services. */
    public Pool pool() {
        return pool;
    }
}

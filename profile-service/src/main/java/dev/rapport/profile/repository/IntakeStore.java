package dev.rapport.profile.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.texts;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.profile.Identifier;
import dev.rapport.profile.IdentifierKind;
import dev.rapport.profile.IdentityResolver;
import dev.rapport.profile.SummaryFacts;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The statements of event intake. Each works on a whole batch at once (arrays unnested in SQL), so a batch of 500
 * events costs about fifteen round trips whatever its size. All run inside the caller's transaction.
 */
@ApplicationScoped
public class IntakeStore {

    /** A profile row locked for the batch. */
    public record LockedProfile(String id, Instant createdAt, String mergedInto, boolean erased, String externalId,
            ObjectNode traits, ObjectNode traitTimes) {

        public IdentityResolver.KnownProfile known() {
            return new IdentityResolver.KnownProfile(id, createdAt, externalId);
        }
    }

    /** An event row to insert. */
    public record NewEvent(String id, String profileId, String type, String channel, Instant occurredAt,
            Instant receivedAt, String identifiersJson, String traitsJson, String propertiesJson, int partition) {
    }

    private final ObjectMapper json;

    public IntakeStore(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Serialises the batch against every other batch that shares an event id or an identifier with it, so two requests
     * bringing the same new person at the same moment end as one profile. Locks are taken in one sorted order, so
     * batches never wait on each other in a cycle over these keys.
     */
    public Uni<Void> lock(SqlConnection c, Collection<String> keys) {
        return c.preparedQuery("""
                SELECT count(pg_advisory_xact_lock(h)) FROM (
                    SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS keys""")
                .execute(Tuple.of(texts(keys))).replaceWithVoid();
    }

    /** The events of these ids already stored, with the profile they belong to. */
    public Uni<Map<String, String>> storedEvents(SqlConnection c, Collection<String> ids) {
        return c.preparedQuery("SELECT id, profile_id FROM event WHERE id = ANY($1)")
                .execute(Tuple.of(texts(ids)))
                .map(rows -> {
                    Map<String, String> stored = new HashMap<>();
                    for (Row row : rows) {
                        stored.put(row.getString(0), row.getString(1));
                    }
                    return stored;
                });
    }

    /** The profile owning each of these identifiers that is known. */
    public Uni<Map<Identifier, String>> owners(SqlConnection c, Collection<Identifier> identifiers) {
        List<String> kinds = new ArrayList<>(identifiers.size());
        List<String> values = new ArrayList<>(identifiers.size());
        for (Identifier i : identifiers) {
            kinds.add(i.kind().apiName());
            values.add(i.value());
        }
        return c.preparedQuery("""
                SELECT i.kind, i.value, i.profile_id
                FROM unnest($1::text[], $2::text[]) AS q(kind, value)
                JOIN identifier i ON i.kind = q.kind AND i.value = q.value""")
                .execute(Tuple.of(texts(kinds), texts(values)))
                .map(rows -> {
                    Map<Identifier, String> owners = new HashMap<>();
                    for (Row row : rows) {
                        owners.put(new Identifier(IdentifierKind.fromApiName(row.getString(0)).orElseThrow(),
                                row.getString(1)), row.getString(2));
                    }
                    return owners;
                });
    }

    /**
     * Locks these profiles (in id order) for the rest of the transaction and reads what intake needs of them. Their
     * externalIds are read by a second statement, after the locks are granted: a statement reads what was committed
     * when it began, so read within the locking statement they would miss an externalId that a concurrent batch
     * holding the lock attached meanwhile, and two CRM customers would end up on one profile.
     */
    public Uni<Map<String, LockedProfile>> lockProfiles(SqlConnection c, Collection<String> ids) {
        String[] sorted = texts(new java.util.TreeSet<>(ids));
        return c.preparedQuery("""
                SELECT p.id, p.created_at, p.merged_into, p.erased_at IS NOT NULL, p.traits::text, p.trait_times::text
                FROM profile p WHERE p.id = ANY($1) ORDER BY p.id FOR UPDATE""")
                .execute(Tuple.of(sorted))
                .chain(rows -> c.preparedQuery("""
                        SELECT DISTINCT ON (profile_id) profile_id, value FROM identifier
                        WHERE profile_id = ANY($1) AND kind = 'externalId' ORDER BY profile_id, first_seen""")
                        .execute(Tuple.of(sorted)).map(external -> {
                            Map<String, String> externalIds = new HashMap<>();
                            for (Row row : external) {
                                externalIds.put(row.getString(0), row.getString(1));
                            }
                            Map<String, LockedProfile> profiles = new HashMap<>();
                            for (Row row : rows) {
                                profiles.put(row.getString(0), new LockedProfile(row.getString(0),
                                        instant(row.getOffsetDateTime(1)), row.getString(2), row.getBoolean(3),
                                        externalIds.get(row.getString(0)), object(row.getString(4)),
                                        object(row.getString(5))));
                            }
                            return profiles;
                        }));
    }

    /** Creates profiles. */
    public Uni<Void> createProfiles(SqlConnection c, List<IdentityResolver.KnownProfile> created) {
        if (created.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> ids = new ArrayList<>();
        List<OffsetDateTime> times = new ArrayList<>();
        for (IdentityResolver.KnownProfile p : created) {
            ids.add(p.id());
            times.add(utc(p.createdAt()));
        }
        return c.preparedQuery("""
                INSERT INTO profile (id, created_at, updated_at)
                SELECT id, at, at FROM unnest($1::text[], $2::timestamptz[]) AS n(id, at)""")
                .execute(Tuple.of(texts(ids), times.toArray(OffsetDateTime[]::new))).replaceWithVoid();
    }

    /**
     * Moves everything of merged profiles to their survivors: identifiers, events, summary rows, and the profiles that
     * had been merged into them. The merged profiles keep their rows, pointing at the survivor. Several profiles may
     * merge into one survivor at once, so their summary rows are combined before they meet the survivor's.
     */
    public Uni<Void> merge(SqlConnection c, List<IdentityResolver.Merge> merges, Instant now) {
        if (merges.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] merged = texts(merges.stream().map(IdentityResolver.Merge::merged).toList());
        String[] survivors = texts(merges.stream().map(IdentityResolver.Merge::survivor).toList());
        Tuple pairs = Tuple.of(merged, survivors);
        String with = "WITH m(merged, survivor) AS (SELECT * FROM unnest($1::text[], $2::text[])) ";
        List<String> statements = List.of(
                with + "UPDATE identifier i SET profile_id = m.survivor FROM m WHERE i.profile_id = m.merged",
                with + "UPDATE event e SET profile_id = m.survivor FROM m WHERE e.profile_id = m.merged",
                with + "UPDATE profile_order o SET profile_id = m.survivor FROM m WHERE o.profile_id = m.merged",
                with + "UPDATE profile_ticket t SET profile_id = m.survivor FROM m WHERE t.profile_id = m.merged",
                with + """
                        INSERT INTO profile_channel (profile_id, channel, last_seen)
                        SELECT m.survivor, x.channel, max(x.last_seen)
                        FROM profile_channel x JOIN m ON x.profile_id = m.merged GROUP BY m.survivor, x.channel
                        ON CONFLICT (profile_id, channel) DO UPDATE
                        SET last_seen = GREATEST(profile_channel.last_seen, EXCLUDED.last_seen)""",
                with + "DELETE FROM profile_channel x USING m WHERE x.profile_id = m.merged",
                with + """
                        INSERT INTO profile_interest (profile_id, kind, value, count, last_at)
                        SELECT m.survivor, x.kind, x.value, sum(x.count), max(x.last_at)
                        FROM profile_interest x JOIN m ON x.profile_id = m.merged GROUP BY m.survivor, x.kind, x.value
                        ON CONFLICT (profile_id, kind, value) DO UPDATE
                        SET count = profile_interest.count + EXCLUDED.count,
                            last_at = GREATEST(profile_interest.last_at, EXCLUDED.last_at)""",
                with + "DELETE FROM profile_interest x USING m WHERE x.profile_id = m.merged",
                with + """
                        INSERT INTO profile_offer (profile_id, kind, value, status, at, source_event_id)
                        SELECT DISTINCT ON (m.survivor, x.kind, x.value) m.survivor, x.kind, x.value, x.status, x.at,
                               x.source_event_id
                        FROM profile_offer x JOIN m ON x.profile_id = m.merged
                        ORDER BY m.survivor, x.kind, x.value, x.at DESC
                        ON CONFLICT (profile_id, kind, value) DO UPDATE
                        SET status = CASE WHEN EXCLUDED.at >= profile_offer.at THEN EXCLUDED.status ELSE profile_offer.status END,
                            source_event_id = CASE WHEN EXCLUDED.at >= profile_offer.at
                                THEN EXCLUDED.source_event_id ELSE profile_offer.source_event_id END,
                            at = GREATEST(profile_offer.at, EXCLUDED.at)""",
                with + "DELETE FROM profile_offer x USING m WHERE x.profile_id = m.merged",
                with + "UPDATE profile p SET merged_into = m.survivor FROM m WHERE p.merged_into = m.merged");
        List<Uni<Void>> all = new ArrayList<>();
        for (String sql : statements) {
            all.add(c.preparedQuery(sql).execute(pairs).replaceWithVoid());
        }
        all.add(c.preparedQuery("""
                UPDATE profile p SET merged_into = m.survivor, merged_at = $3, updated_at = $3
                FROM unnest($1::text[], $2::text[]) AS m(merged, survivor) WHERE p.id = m.merged""")
                .execute(Tuple.of(merged, survivors, utc(now))).replaceWithVoid());
        return Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    /** Records identity conflicts. */
    public Uni<Void> recordConflicts(SqlConnection c, List<IdentityResolver.Conflict> conflicts, Instant now) {
        if (conflicts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                INSERT INTO identity_conflict (occurred_at, event_id, profile_id, other_profile_id, detail)
                SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])""")
                .execute(Tuple.of(utc(now),
                        texts(conflicts.stream().map(IdentityResolver.Conflict::eventId).toList()),
                        texts(conflicts.stream().map(IdentityResolver.Conflict::profileId).toList()),
                        texts(conflicts.stream().map(IdentityResolver.Conflict::otherProfileId).toList()),
                        texts(conflicts.stream().map(IdentityResolver.Conflict::detail).toList())))
                .replaceWithVoid();
    }

    /**
     * Stores identifiers seen in the batch: new ones with their owner, known ones with a later {@code last_seen}. A known
     * identifier is rewritten only when it was first seen earlier or last seen more than an hour later than recorded,
     * so an active visitor does not cost a write per event: {@code last_seen} is precise to the hour.
     *
     * @param seen each identifier with its owner and the earliest and latest time it was seen in the batch
     */
    public Uni<Void> upsertIdentifiers(SqlConnection c, List<SeenIdentifier> seen) {
        if (seen.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = seen.size();
        String[] kinds = new String[n];
        String[] values = new String[n];
        String[] owners = new String[n];
        OffsetDateTime[] first = new OffsetDateTime[n];
        OffsetDateTime[] last = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SeenIdentifier s = seen.get(i);
            kinds[i] = s.identifier().kind().apiName();
            values[i] = s.identifier().value();
            owners[i] = s.profileId();
            first[i] = utc(s.firstSeen());
            last[i] = utc(s.lastSeen());
        }
        return c.preparedQuery("""
                INSERT INTO identifier (kind, value, profile_id, first_seen, last_seen)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
                ON CONFLICT (kind, value) DO UPDATE
                SET first_seen = LEAST(identifier.first_seen, EXCLUDED.first_seen),
                    last_seen = GREATEST(identifier.last_seen, EXCLUDED.last_seen)
                WHERE EXCLUDED.first_seen < identifier.first_seen
                   OR EXCLUDED.last_seen > identifier.last_seen + interval '1 hour'""")
                .execute(Tuple.of(kinds, values, owners, first, last)).replaceWithVoid();
    }

    /** An identifier seen in a batch. */
    public record SeenIdentifier(Identifier identifier, String profileId, Instant firstSeen, Instant lastSeen) {
    }

    /** Drops the least recently seen anonymous ids, device ids and push tokens of these profiles beyond the bound. */
    public Uni<Void> trimBoundedIdentifiers(SqlConnection c, Collection<String> profileIds, int keep) {
        if (profileIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] bounded = texts(java.util.Arrays.stream(IdentifierKind.values()).filter(IdentifierKind::bounded)
                .map(IdentifierKind::apiName).toList());
        return c.preparedQuery("""
                DELETE FROM identifier i USING (
                    SELECT kind, value FROM (
                        SELECT kind, value, row_number() OVER (
                            PARTITION BY profile_id, kind ORDER BY last_seen DESC, value) AS rank
                        FROM identifier WHERE profile_id = ANY($1) AND kind = ANY($2)) AS ranked
                    WHERE rank > $3) AS old
                WHERE i.kind = old.kind AND i.value = old.value""")
                .execute(Tuple.of(texts(profileIds), bounded, keep)).replaceWithVoid();
    }

    /** Stores events and queues them on the outbox, in batch order. */
    public Uni<Void> insertEvents(SqlConnection c, List<NewEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = events.size();
        String[] ids = new String[n];
        String[] profiles = new String[n];
        String[] types = new String[n];
        String[] channels = new String[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        OffsetDateTime[] received = new OffsetDateTime[n];
        String[] identifiers = new String[n];
        String[] traits = new String[n];
        String[] properties = new String[n];
        Integer[] partitions = new Integer[n];
        for (int i = 0; i < n; i++) {
            NewEvent e = events.get(i);
            ids[i] = e.id();
            profiles[i] = e.profileId();
            types[i] = e.type();
            channels[i] = e.channel();
            occurred[i] = utc(e.occurredAt());
            received[i] = utc(e.receivedAt());
            identifiers[i] = e.identifiersJson();
            traits[i] = e.traitsJson();
            properties[i] = e.propertiesJson();
            partitions[i] = e.partition();
        }
        Uni<Void> store = c.preparedQuery("""
                INSERT INTO event (id, profile_id, type, channel, occurred_at, received_at, identifiers, traits, properties)
                SELECT id, profile_id, type, channel, occurred_at, received_at, identifiers::jsonb, traits::jsonb,
                       properties::jsonb
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                            $7::text[], $8::text[], $9::text[])
                     AS e(id, profile_id, type, channel, occurred_at, received_at, identifiers, traits, properties)""")
                .execute(Tuple.from(new Object[] { ids, profiles, types, channels, occurred, received, identifiers,
                        traits, properties }))
                .replaceWithVoid();
        Uni<Void> queue = c.preparedQuery("""
                INSERT INTO outbox (partition, event_id)
                SELECT partition, event_id FROM unnest($1::int[], $2::text[]) WITH ORDINALITY
                     AS o(partition, event_id, position) ORDER BY position""")
                .execute(Tuple.of(partitions, ids)).replaceWithVoid();
        return Uni.join().all(store, queue).andFailFast().replaceWithVoid();
    }

    /** Writes the summary facts of a batch: each row once, keeping the latest by the events' own times. */
    public Uni<Void> applySummary(SqlConnection c, SummaryFacts facts) {
        return Uni.join().all(channels(c, facts), interests(c, facts), orders(c, facts), tickets(c, facts),
                offers(c, facts)).andFailFast().replaceWithVoid();
    }

    private Uni<Void> channels(SqlConnection c, SummaryFacts facts) {
        var rows = List.copyOf(facts.channels());
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                INSERT INTO profile_channel (profile_id, channel, last_seen)
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
                ON CONFLICT (profile_id, channel) DO UPDATE
                SET last_seen = GREATEST(profile_channel.last_seen, EXCLUDED.last_seen)""")
                .execute(Tuple.of(texts(rows.stream().map(SummaryFacts.ChannelSeen::profileId).toList()),
                        texts(rows.stream().map(SummaryFacts.ChannelSeen::channel).toList()),
                        rows.stream().map(r -> utc(r.at())).toArray(OffsetDateTime[]::new)))
                .replaceWithVoid();
    }

    private Uni<Void> interests(SqlConnection c, SummaryFacts facts) {
        var rows = List.copyOf(facts.interests());
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                INSERT INTO profile_interest (profile_id, kind, value, count, last_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[])
                ON CONFLICT (profile_id, kind, value) DO UPDATE
                SET count = profile_interest.count + EXCLUDED.count,
                    last_at = GREATEST(profile_interest.last_at, EXCLUDED.last_at)""")
                .execute(Tuple.of(texts(rows.stream().map(SummaryFacts.Interest::profileId).toList()),
                        texts(rows.stream().map(SummaryFacts.Interest::kind).toList()),
                        texts(rows.stream().map(SummaryFacts.Interest::value).toList()),
                        rows.stream().map(SummaryFacts.Interest::count).toArray(Long[]::new),
                        rows.stream().map(r -> utc(r.lastAt())).toArray(OffsetDateTime[]::new)))
                .replaceWithVoid();
    }

    private Uni<Void> orders(SqlConnection c, SummaryFacts facts) {
        var rows = List.copyOf(facts.orders());
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] products = rows.stream().map(r -> r.productIds() == null ? null : write(r.productIds()))
                .toArray(String[]::new);
        return c.preparedQuery("""
                INSERT INTO profile_order AS o (order_id, profile_id, product_ids, amount, currency, placed_at, status,
                                               status_at, source_event_id)
                SELECT order_id, profile_id,
                       COALESCE(ARRAY(SELECT jsonb_array_elements_text(products::jsonb)), '{}'),
                       amount::numeric, currency, placed_at, status, status_at, source_event_id
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[],
                            $8::timestamptz[], $9::text[])
                     AS n(order_id, profile_id, products, amount, currency, placed_at, status, status_at, source_event_id)
                ON CONFLICT (order_id) DO UPDATE SET
                    product_ids = CASE WHEN o.placed_at IS NULL THEN EXCLUDED.product_ids ELSE o.product_ids END,
                    amount = CASE WHEN o.placed_at IS NULL THEN EXCLUDED.amount ELSE o.amount END,
                    currency = CASE WHEN o.placed_at IS NULL THEN EXCLUDED.currency ELSE o.currency END,
                    profile_id = CASE WHEN o.placed_at IS NULL AND EXCLUDED.placed_at IS NOT NULL
                        THEN EXCLUDED.profile_id ELSE o.profile_id END,
                    placed_at = COALESCE(o.placed_at, EXCLUDED.placed_at),
                    status = CASE WHEN (EXCLUDED.status_at, array_position($10::text[], EXCLUDED.status))
                                     > (o.status_at, array_position($10::text[], o.status))
                        THEN EXCLUDED.status ELSE o.status END,
                    source_event_id = CASE WHEN (EXCLUDED.status_at, array_position($10::text[], EXCLUDED.status))
                                     > (o.status_at, array_position($10::text[], o.status))
                        THEN EXCLUDED.source_event_id ELSE o.source_event_id END,
                    status_at = GREATEST(o.status_at, EXCLUDED.status_at)""")
                .execute(Tuple.from(new Object[] {
                        texts(rows.stream().map(SummaryFacts.Order::orderId).toList()),
                        texts(rows.stream().map(SummaryFacts.Order::profileId).toList()),
                        products,
                        rows.stream().map(r -> r.amount() == null ? null : r.amount().toPlainString())
                                .toArray(String[]::new),
                        rows.stream().map(SummaryFacts.Order::currency).toArray(String[]::new),
                        rows.stream().map(r -> utc(r.placedAt())).toArray(OffsetDateTime[]::new),
                        texts(rows.stream().map(SummaryFacts.Order::status).toList()),
                        rows.stream().map(r -> utc(r.statusAt())).toArray(OffsetDateTime[]::new),
                        texts(rows.stream().map(SummaryFacts.Order::sourceEventId).toList()),
                        texts(SummaryFacts.ORDER_STATUSES) }))
                .replaceWithVoid();
    }

    private Uni<Void> tickets(SqlConnection c, SummaryFacts facts) {
        var rows = List.copyOf(facts.tickets());
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                INSERT INTO profile_ticket AS t (ticket_id, profile_id, opened_at, resolved_at, updated_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
                ON CONFLICT (ticket_id) DO UPDATE SET
                    opened_at = GREATEST(t.opened_at, EXCLUDED.opened_at),
                    resolved_at = GREATEST(t.resolved_at, EXCLUDED.resolved_at),
                    updated_at = GREATEST(t.updated_at, EXCLUDED.updated_at)""")
                .execute(Tuple.of(texts(rows.stream().map(SummaryFacts.Ticket::ticketId).toList()),
                        texts(rows.stream().map(SummaryFacts.Ticket::profileId).toList()),
                        rows.stream().map(r -> utc(r.openedAt())).toArray(OffsetDateTime[]::new),
                        rows.stream().map(r -> utc(r.resolvedAt())).toArray(OffsetDateTime[]::new),
                        rows.stream().map(r -> utc(r.updatedAt())).toArray(OffsetDateTime[]::new)))
                .replaceWithVoid();
    }

    private Uni<Void> offers(SqlConnection c, SummaryFacts facts) {
        var rows = List.copyOf(facts.offers());
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                INSERT INTO profile_offer AS f (profile_id, kind, value, status, at, source_event_id)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                ON CONFLICT (profile_id, kind, value) DO UPDATE SET
                    status = CASE WHEN EXCLUDED.at >= f.at THEN EXCLUDED.status ELSE f.status END,
                    source_event_id = CASE WHEN EXCLUDED.at >= f.at THEN EXCLUDED.source_event_id ELSE f.source_event_id END,
                    at = GREATEST(f.at, EXCLUDED.at)""")
                .execute(Tuple.from(new Object[] {
                        texts(rows.stream().map(SummaryFacts.Offer::profileId).toList()),
                        texts(rows.stream().map(SummaryFacts.Offer::kind).toList()),
                        texts(rows.stream().map(SummaryFacts.Offer::value).toList()),
                        texts(rows.stream().map(SummaryFacts.Offer::status).toList()),
                        rows.stream().map(r -> utc(r.at())).toArray(OffsetDateTime[]::new),
                        texts(rows.stream().map(SummaryFacts.Offer::sourceEventId).toList()) }))
                .replaceWithVoid();
    }

    /** Saves the traits of these profiles and marks them updated. */
    public Uni<Void> updateProfiles(SqlConnection c, Map<String, dev.rapport.profile.Traits> traits, Instant now) {
        if (traits.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> ids = new ArrayList<>(traits.keySet());
        String[] values = ids.stream().map(id -> traits.get(id).values().toString()).toArray(String[]::new);
        String[] times = ids.stream().map(id -> traits.get(id).times().toString()).toArray(String[]::new);
        return c.preparedQuery("""
                UPDATE profile p SET traits = u.traits::jsonb, trait_times = u.times::jsonb, updated_at = $4
                FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, traits, times) WHERE p.id = u.id""")
                .execute(Tuple.of(texts(ids), values, times, utc(now))).replaceWithVoid();
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode object(String text) {
        try {
            return text == null ? null : (ObjectNode) json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.profile.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.error.Failures;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.stream.StreamLayout;
import dev.rapport.profile.EventInput;
import dev.rapport.profile.EventValidator;
import dev.rapport.profile.Identifier;
import dev.rapport.profile.IdentifierKind;
import dev.rapport.profile.IdentityResolver;
import dev.rapport.profile.RawEvent;
import dev.rapport.profile.SummaryFacts;
import dev.rapport.profile.Traits;
import dev.rapport.profile.config.ProfileConfig;
import dev.rapport.profile.repository.IntakeStore;
import dev.rapport.profile.repository.IntakeStore.LockedProfile;
import dev.rapport.profile.repository.IntakeStore.NewEvent;
import dev.rapport.profile.repository.IntakeStore.SeenIdentifier;
import dev.rapport.profile.stream.OutboxRelay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * Records batches of valid events: resolves each to one profile (creating, attaching, merging), stores it once, queues
 * it for the event stream and updates the summaries, all in one transaction. A batch that meets a concurrent batch on
 * the same people is tried again from the start.
 */
@ApplicationScoped
public class EventIntake {

    /** An event to record, with its position in the request. */
    public record Indexed(int index, EventInput event) {
    }

    /** The outcome for one event. */
    public record Accepted(int index, String id, String profileId, boolean duplicate) {
    }

    /** An event refused by validation, by its position in the request. */
    public record Rejected(int index, String id, List<FieldError> errors) {
    }

    /** What became of each event of a request. */
    public record Outcome(List<Accepted> accepted, List<Rejected> rejected) {
    }

    /** Thrown inside an attempt when what was read has changed under it; the batch is tried again. */
    static final class StaleRead extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleRead(String message) {
            super(message, null, false, false);
        }
    }

    private final Pool pool;
    private final IntakeStore store;
    private final EventValidator validator;
    private final ProfileConfig config;
    private final OutboxRelay relay;
    private final ObjectMapper json;
    private final StreamLayout layout;
    private final Clock clock;
    private final IdentityResolver resolver = new IdentityResolver();
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter merges;
    private final Counter conflicts;
    private final Counter retries;
    private final Counter rejectedCounter;

    public EventIntake(Pool pool, IntakeStore store, EventValidator validator, ProfileConfig config, OutboxRelay relay,
            ObjectMapper json, StreamLayout layout, Clock clock, MeterRegistry metrics) {
        this.layout = layout;
        this.pool = pool;
        this.validator = validator;
        this.store = store;
        this.config = config;
        this.relay = relay;
        this.json = json;
        this.clock = clock;
        this.accepted = metrics.counter("rapport.profile.events.accepted");
        this.duplicates = metrics.counter("rapport.profile.events.duplicate");
        this.merges = metrics.counter("rapport.profile.merges");
        this.conflicts = metrics.counter("rapport.profile.identity.conflicts");
        this.retries = metrics.counter("rapport.profile.intake.retries");
        this.rejectedCounter = metrics.counter("rapport.profile.events.rejected");
    }

    /**
     * Validates the events of a request and records the valid ones; fails with the fields at fault when none is valid.
     * Field names of a batch are prefixed with {@code events[i]}.
     *
     * @param events the events as sent
     * @param batch whether they came as a batch (a single event is named without prefix)
     */
    public Uni<Outcome> submit(List<RawEvent> events, boolean batch) {
        if (events.size() > config.maxBatchSize()) {
            return Uni.createFrom().failure(RapportException.invalidField("events", "holds " + events.size()
                    + " events; at most " + config.maxBatchSize() + " are accepted per request"));
        }
        List<Indexed> valid = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            switch (validator.validate(events.get(i))) {
                case EventValidator.Valid v -> valid.add(new Indexed(i, v.event()));
                case EventValidator.Invalid inv -> rejected.add(new Rejected(i, events.get(i).id(), inv.errors()));
            }
        }
        if (valid.isEmpty()) {
            List<FieldError> errors = new ArrayList<>();
            for (Rejected r : rejected) {
                String prefix = batch ? "events[" + r.index() + "]" : "";
                for (FieldError e : r.errors()) {
                    String field = e.field().isEmpty() ? (prefix.isEmpty() ? "body" : prefix)
                            : prefix.isEmpty() ? e.field() : prefix + "." + e.field();
                    errors.add(new FieldError(field, e.message()));
                }
            }
            return Uni.createFrom().failure(RapportException.invalid(batch
                    ? "No event of the batch is valid; nothing was stored."
                    : "The event is invalid; nothing was stored.", errors));
        }
        rejectedCounter.increment(rejected.size());
        return record(valid).map(accepted -> new Outcome(accepted, rejected));
    }

    /** Records valid events; answers one outcome per event, in request order. */
    public Uni<List<Accepted>> record(List<Indexed> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.createFrom().deferred(() -> pool.withTransaction(c -> attempt(c, events)))
                .onFailure(EventIntake::retryable).invoke(f -> {
                    retries.increment();
                    Log.debugf("Retrying an event batch after %s", f.toString());
                })
                .onFailure(EventIntake::retryable).retry()
                .withBackOff(Duration.ofMillis(5), Duration.ofMillis(250)).withJitter(0.5)
                .atMost(config.maxAttempts())
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The profile database"))
                .invoke(result -> {
                    long dup = result.stream().filter(Accepted::duplicate).count();
                    accepted.increment(result.size() - dup);
                    duplicates.increment(dup);
                    relay.wake();
                });
    }

    static boolean retryable(Throwable failure) {
        if (failure instanceof StaleRead) {
            return true;
        }
        if (failure instanceof PgException pg) {
            String state = pg.getSqlState();
            return "40P01".equals(state) || "40001".equals(state) || "23505".equals(state);
        }
        return false;
    }

    private Uni<List<Accepted>> attempt(SqlConnection c, List<Indexed> events) {
        Instant now = clock.instant();
        Set<String> keys = new HashSet<>();
        Set<String> ids = new LinkedHashSet<>();
        for (Indexed e : events) {
            keys.add("event:" + e.event().id());
            ids.add(e.event().id());
            for (Identifier i : e.event().identifiers()) {
                keys.add("identifier:" + i.kind().apiName() + ":" + i.value());
            }
        }
        return store.lock(c, keys)
                .chain(() -> store.storedEvents(c, ids))
                .chain(stored -> {
                    List<Indexed> fresh = new ArrayList<>();
                    Set<String> inBatch = new HashSet<>();
                    for (Indexed e : events) {
                        if (!stored.containsKey(e.event().id()) && inBatch.add(e.event().id())) {
                            fresh.add(e);
                        }
                    }
                    Set<Identifier> identifiers = new HashSet<>();
                    fresh.forEach(e -> identifiers.addAll(e.event().identifiers()));
                    return store.owners(c, identifiers)
                            .chain(owners -> store.lockProfiles(c, new HashSet<>(owners.values()))
                                    .chain(locked -> apply(c, events, fresh, stored, owners, locked, now)));
                });
    }

    private Uni<List<Accepted>> apply(SqlConnection c, List<Indexed> events, List<Indexed> fresh,
            Map<String, String> stored, Map<Identifier, String> owners, Map<String, LockedProfile> locked,
            Instant now) {
        Map<String, IdentityResolver.KnownProfile> known = new HashMap<>();
        for (String owner : new HashSet<>(owners.values())) {
            LockedProfile p = locked.get(owner);
            if (p == null || p.mergedInto() != null || p.erased()) {
                throw new StaleRead("profile " + owner + " changed while the batch was read");
            }
            known.put(owner, p.known());
        }
        List<EventInput> inputs = fresh.stream().map(Indexed::event).toList();
        IdentityResolver.Plan plan = resolver.resolve(inputs, new IdentityResolver.Snapshot(owners, known),
                () -> UUID.randomUUID().toString(), now);

        // traits: survivors absorb what they merge, then every event applies its own, each by its own time
        Map<String, Traits> traits = new LinkedHashMap<>();
        for (IdentityResolver.KnownProfile p : plan.created()) {
            traits.put(p.id(), Traits.empty());
        }
        for (IdentityResolver.Merge m : plan.merges()) {
            profileTraits(traits, locked, m.survivor()).absorb(profileTraits(traits, locked, m.merged()));
        }
        List<NewEvent> rows = new ArrayList<>(fresh.size() + plan.merges().size());
        SummaryFacts facts = new SummaryFacts();
        Map<Identifier, SeenIdentifier> seen = new LinkedHashMap<>();
        Set<String> boundedTouched = new LinkedHashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            EventInput e = inputs.get(i);
            String profile = plan.eventProfiles().get(i);
            profileTraits(traits, locked, profile).apply(e.traits(), e.occurredAt());
            facts.add(e, profile);
            rows.add(new NewEvent(e.id(), profile, e.type(), e.channel() == null ? null : e.channel().apiName(),
                    e.occurredAt(), now, identifiersJson(e.identifiers()), text(e.traits()), text(e.properties()),
                    partition(profile)));
            for (Identifier identifier : e.identifiers()) {
                String owner = plan.assignments().getOrDefault(identifier, owners.get(identifier));
                String current = owner == null ? profile : survivorOf(plan, owner);
                seen.merge(identifier, new SeenIdentifier(identifier, current, e.occurredAt(), e.occurredAt()),
                        (a, b) -> new SeenIdentifier(identifier, a.profileId(), min(a.firstSeen(), b.firstSeen()),
                                max(a.lastSeen(), b.lastSeen())));
                if (identifier.kind().bounded() && plan.assignments().containsKey(identifier)) {
                    boundedTouched.add(current);
                }
            }
        }
        for (IdentityResolver.Merge m : plan.merges()) {
            boundedTouched.add(m.survivor());
            rows.add(mergeEvent(m, now));
        }
        Map<String, Traits> changed = new LinkedHashMap<>();
        traits.forEach((id, t) -> {
            if (t.changed() || plan.created().stream().anyMatch(p -> p.id().equals(id))) {
                changed.put(id, t);
            }
        });
        changed.keySet().removeAll(plan.merges().stream().map(IdentityResolver.Merge::merged).toList());

        // one transaction, its writes sent together (the connection pipelines them, in this order)
        return Uni.join().all(List.of(
                store.createProfiles(c, plan.created()),
                store.merge(c, plan.merges(), now),
                store.recordConflicts(c, plan.conflicts(), now),
                store.upsertIdentifiers(c, List.copyOf(seen.values())),
                store.trimBoundedIdentifiers(c, boundedTouched, config.maxIdentifiersPerKind()),
                store.insertEvents(c, rows),
                store.applySummary(c, facts),
                store.updateProfiles(c, changed, now))).andFailFast()
                .map(v -> {
                    merges.increment(plan.merges().size());
                    conflicts.increment(plan.conflicts().size());
                    plan.conflicts().forEach(conflict -> Log.warnf(
                            "Identity conflict on event %s: profiles %s and %s have different externalIds; not merged",
                            conflict.eventId(), conflict.profileId(), conflict.otherProfileId()));
                    return outcomes(events, fresh, plan, stored);
                });
    }

    private List<Accepted> outcomes(List<Indexed> events, List<Indexed> fresh, IdentityResolver.Plan plan,
            Map<String, String> stored) {
        Map<String, String> profileOf = new HashMap<>(stored);
        for (int i = 0; i < fresh.size(); i++) {
            profileOf.put(fresh.get(i).event().id(), plan.eventProfiles().get(i));
        }
        Set<String> firstSeen = new HashSet<>();
        List<Accepted> out = new ArrayList<>(events.size());
        for (Indexed e : events) {
            String id = e.event().id();
            boolean duplicate = stored.containsKey(id) || !firstSeen.add(id);
            out.add(new Accepted(e.index(), id, survivorOf(plan, profileOf.get(id)), duplicate));
        }
        return out;
    }

    private Traits profileTraits(Map<String, Traits> traits, Map<String, LockedProfile> locked, String id) {
        return traits.computeIfAbsent(id, key -> {
            LockedProfile p = locked.get(key);
            return p == null ? Traits.empty() : new Traits(p.traits(), p.traitTimes());
        });
    }

    private NewEvent mergeEvent(IdentityResolver.Merge m, Instant now) {
        ObjectNode properties = json.createObjectNode().put(EventTypes.SURVIVOR_ID, m.survivor())
                .put(EventTypes.MERGED_ID, m.merged());
        return new NewEvent(EventTypes.mergedEventId(m.merged()), m.survivor(), EventTypes.PROFILE_MERGED, null, now,
                now, "{}", null, properties.toString(), partition(m.survivor()));
    }

    /** The partition of the event stream a profile's events go to. */
    public int partition(String profileId) {
        return layout.partition(profileId);
    }

    private static String survivorOf(IdentityResolver.Plan plan, String profileId) {
        for (IdentityResolver.Merge m : plan.merges()) {
            if (m.merged().equals(profileId)) {
                return m.survivor();
            }
        }
        return profileId;
    }

    private String identifiersJson(Collection<Identifier> identifiers) {
        ObjectNode node = json.createObjectNode();
        for (IdentifierKind kind : IdentifierKind.values()) {
            for (Identifier i : identifiers) {
                if (i.kind() == kind) {
                    node.put(kind.apiName(), i.value());
                }
            }
        }
        return node.toString();
    }

    private static String text(ObjectNode node) {
        return node == null ? null : node.toString();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}

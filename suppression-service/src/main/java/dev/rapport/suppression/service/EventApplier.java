package dev.rapport.suppression.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;


import dev.rapport.common.stream.EventHandler;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.stream.StreamEvent;
import dev.rapport.suppression.StateChanges;
import dev.rapport.suppression.repository.PressureCounters;
import dev.rapport.suppression.repository.StateStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/**
 * Keeps the state current from the event stream: a run of ordinary events is applied in one transaction (re-keyed to
 * survivors, erased profiles left out); a merge moves the merged profile's state and counters to the survivor; an
 * erasure drops everything held. Each is idempotent, so at-least-once delivery is safe.
 */
@ApplicationScoped
public class EventApplier implements EventHandler {

    /** Who the event stream's writes are recorded as, in the consent history. */
    public static final String STREAM = "event-stream";

    private final StateStore states;
    private final PressureCounters counters;
    private final Policies policies;
    private final Clock clock;
    private final Counter applied;
    private final Counter ignored;

    public EventApplier(StateStore states, PressureCounters counters, Policies policies, Clock clock,
            MeterRegistry metrics) {
        this.states = states;
        this.counters = counters;
        this.policies = policies;
        this.clock = clock;
        this.applied = metrics.counter("rapport.suppression.events.applied");
        this.ignored = metrics.counter("rapport.suppression.events.ignored");
    }

    /** Applies events in stream order: runs of ordinary events together, merges and erasures on their own. */
    @Override
    public Uni<Void> apply(List<StreamEvent> events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        List<StreamEvent> run = new ArrayList<>();
        for (StreamEvent e : events) {
            if (EventTypes.SYSTEM.contains(e.type())) {
                List<StreamEvent> facts = List.copyOf(run);
                run.clear();
                chain = chain.chain(() -> facts(facts))
                        .chain(() -> e.type().equals(EventTypes.PROFILE_MERGED) ? merge(e) : erase(e));
            } else {
                run.add(e);
            }
        }
        List<StreamEvent> rest = List.copyOf(run);
        return chain.chain(() -> facts(rest));
    }

    private Uni<Void> facts(List<StreamEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Set<String> ids = new LinkedHashSet<>();
        events.forEach(e -> ids.add(e.profileId()));
        return retrying(states.pool().withTransaction(c -> states.lockSubjects(c, ids, clock.instant())
                .chain(subjects -> {
                    StateChanges changes = new StateChanges();
                    int skipped = 0;
                    for (StreamEvent e : events) {
                        StateStore.Subject s = subjects.get(e.profileId());
                        if (s != null && s.erased()) {
                            skipped++;
                            continue;
                        }
                        changes.add(s != null && s.mergedInto() != null ? e.withProfile(s.mergedInto()) : e);
                    }
                    ignored.increment(skipped);
                    applied.increment(events.size() - skipped);
                    return states.apply(c, changes, clock.instant(), STREAM);
                })));
    }

    private Uni<Void> merge(StreamEvent e) {
        String merged = e.property(EventTypes.MERGED_ID);
        String survivorId = e.property(EventTypes.SURVIVOR_ID) != null ? e.property(EventTypes.SURVIVOR_ID)
                : e.profileId();
        if (merged == null || merged.equals(survivorId)) {
            Log.warnf("Event %s (profile_merged) names no merged profile; ignored", e.id());
            return Uni.createFrom().voidItem();
        }
        return retrying(states.pool().withTransaction(c -> states
                .lockForChange(c, List.of(merged, survivorId), clock.instant())
                .chain(subjects -> {
                    StateStore.Subject m = subjects.get(merged);
                    StateStore.Subject s = subjects.get(survivorId);
                    String survivor = s != null && s.mergedInto() != null ? s.mergedInto() : survivorId;
                    if (m != null && m.erased()) {
                        return Uni.createFrom().<String>nullItem();
                    }
                    if (m != null && survivor.equals(m.mergedInto())) {
                        // merged already: a redelivery, perhaps after the counters failed to move; moving them again
                        // finds nothing when they did
                        return Uni.createFrom().item(survivor);
                    }
                    if (s != null && s.erased()) {
                        return states.erase(c, List.of(merged), clock.instant(), e.id()).replaceWith((String) null);
                    }
                    return states.merge(c, merged, survivor, clock.instant()).replaceWith(survivor);
                })))
                .chain(survivor -> survivor == null ? Uni.createFrom().voidItem()
                        : policies.current().chain(p -> counters.merge(merged, survivor,
                                (p.policy().longestCapDays() + 1L) * 86_400L)))
                .invoke(() -> Log.infof("Profile %s merged into %s", merged, survivorId));
    }

    private Uni<Void> erase(StreamEvent e) {
        List<String> ids = e.erasedIds();
        return retrying(states.pool().withTransaction(c -> states.lockForChange(c, ids, clock.instant())
                .chain(() -> states.erase(c, ids, clock.instant(), e.id()))))
                .chain(() -> counters.drop(ids))
                .invoke(() -> Log.infof("Profile %s erased (%d ids): its suppression state is dropped", ids.get(0),
                        ids.size()));
    }

    /** Tries a transaction again when it met another on the same rows (deadlock, serialisation, unique race). */
    private static <T> Uni<T> retrying(Uni<T> transaction) {
        return transaction.onFailure(EventApplier::retryable).retry()
                .withBackOff(Duration.ofMillis(5), Duration.ofMillis(200)).withJitter(0.5).atMost(8);
    }

    static boolean retryable(Throwable failure) {
        if (failure instanceof PgException pg) {
            String state = pg.getSqlState();
            return "40P01".equals(state) || "40001".equals(state) || "23505".equals(state);
        }
        return false;
    }
}

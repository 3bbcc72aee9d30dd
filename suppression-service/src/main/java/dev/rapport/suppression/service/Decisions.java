package dev.rapport.suppression.service;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;
import dev.rapport.suppression.AddressStatus;
import dev.rapport.suppression.ContactPressure;
import dev.rapport.suppression.ContactRequest;
import dev.rapport.suppression.Decision;
import dev.rapport.suppression.Policy;
import dev.rapport.suppression.Reason;
import dev.rapport.suppression.Rule;
import dev.rapport.suppression.SubjectState;
import dev.rapport.suppression.SuppressionRules;
import dev.rapport.suppression.Verdict;
import dev.rapport.suppression.client.ProfileClient;
import dev.rapport.suppression.config.SuppressionConfig;
import dev.rapport.suppression.repository.AuditStore;
import dev.rapport.suppression.repository.PressureCounters;
import dev.rapport.suppression.repository.StateStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Decides contacts, many at a time: one read of the state (PostgreSQL) for all of them, one round trip to the
 * contact-pressure counters (Redis) for the marketing ones, one audit insert for the committed ones.
 *
 * <p>Degraded: when the state cannot be read, marketing and service contacts are denied with {@code unavailable} (never
 * a blind allow) and transactional ones are allowed, because reachability and erasure are the only rules they obey and
 * a one-time code must not wait for a database. When the counters cannot be read, marketing is denied with
 * {@code unavailable}; the other purposes do not need them. When a committed decision cannot be audited, its place
 * under the caps is given back and a marketing or service allow becomes {@code unavailable}.
 */
@ApplicationScoped
public class Decisions {

    private static final Comparator<Reason> BY_RULE = Comparator.comparing(r -> r.rule().ordinal());

    private final Policies policies;
    private final StateStore states;
    private final PressureCounters counters;
    private final AuditStore audit;
    private final ProfileClient profileClient;
    private final SuppressionConfig config;
    private final Clock clock;
    private final Counter newcomers;
    private final Counter stateUnavailable;
    private final Counter countersUnavailable;
    private final Counter auditFailures;
    /** Decisions made, by decision and purpose. */
    private final Counter[][] decided;

    public Decisions(Policies policies, StateStore states, PressureCounters counters, AuditStore audit,
            ProfileClient profileClient, SuppressionConfig config, Clock clock, MeterRegistry metrics) {
        this.profileClient = profileClient;
        this.config = config;
        this.newcomers = metrics.counter("rapport.suppression.newcomers.looked.up");
        this.policies = policies;
        this.states = states;
        this.counters = counters;
        this.audit = audit;
        this.clock = clock;
        this.stateUnavailable = metrics.counter("rapport.suppression.degraded", "dependency", "state");
        this.countersUnavailable = metrics.counter("rapport.suppression.degraded", "dependency", "counters");
        this.auditFailures = metrics.counter("rapport.suppression.degraded", "dependency", "audit");
        this.decided = new Counter[Decision.values().length][Purpose.values().length];
        for (Decision d : Decision.values()) {
            for (Purpose p : Purpose.values()) {
                decided[d.ordinal()][p.ordinal()] = metrics.counter("rapport.suppression.decisions", "decision",
                        d.apiName(), "purpose", p.apiName());
            }
        }
    }

    /** Decides one contact. */
    public Uni<Verdict> decide(ContactRequest request, String caller) {
        return decide(List.of(request), caller).map(v -> v.get(0));
    }

    /** Decides contacts; answers a verdict per request, in order. */
    public Uni<List<Verdict>> decide(List<ContactRequest> requests, String caller) {
        Instant now = clock.instant();
        return policies.current()
                .chain(stored -> states.load(requests.stream().map(ContactRequest::profileId).toList(),
                        stored.policy(), now).map(loaded -> new Loaded(stored.policy(), loaded, Set.of())))
                .onFailure().recoverWithItem(failure -> {
                    stateUnavailable.increment();
                    Log.warnf("Cannot read suppression state (%s): marketing and service are denied as unavailable",
                            failure.toString());
                    return new Loaded(null, null, Set.of());
                })
                .chain(loaded -> lookUpNewcomers(requests, loaded))
                .chain(loaded -> evaluate(requests, loaded, now))
                .chain(decided -> keep(requests, decided, now, caller))
                .invoke(verdicts -> count(requests, verdicts));
    }

    /**
     * What was read for a set of requests.
     *
     * @param states each requested id's state; null when the state could not be read
     * @param unanswered ids this service does not know and profile-service could not be asked about
     */
    private record Loaded(Policy policy, Map<String, SubjectState> states, Set<String> unanswered) {
    }

    /**
     * A transactional or service message for a person this service has not seen an event of yet (they signed up a
     * moment ago and the stream has not caught up) asks profile-service for their addresses instead of denying them
     * as unreachable: a one-time code must not wait for the stream. What was recorded here through the API (a
     * do-not-contact entry, a consent) still counts.
     */
    private Uni<Loaded> lookUpNewcomers(List<ContactRequest> requests, Loaded loaded) {
        if (loaded.states() == null || !config.profileLookup()) {
            return Uni.createFrom().item(loaded);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (ContactRequest r : requests) {
            SubjectState s = loaded.states().get(r.profileId());
            if (r.purpose() != Purpose.MARKETING && !s.known() && s.erasedAt() == null) {
                ids.add(r.profileId());
            }
        }
        if (ids.isEmpty()) {
            return Uni.createFrom().item(loaded);
        }
        Instant now = clock.instant();
        // at most 8 asks at once, however many newcomers a batch holds
        return Multi.createFrom().iterable(ids).onItem().transformToUni(id -> profileClient.find(id)
                .map(person -> new Asked(id, person, true)).onFailure().recoverWithItem(f -> {
                    Log.warnf("Cannot ask profile-service about profile %s (%s)", id, f.toString());
                    return new Asked(id, Optional.empty(), false);
                }))
                .merge(8).collect().asList().chain(answers -> {
                    Map<String, ProfileClient.Person> found = new HashMap<>();
                    Set<String> unanswered = new HashSet<>();
                    for (Asked a : answers) {
                        if (!a.answered()) {
                            unanswered.add(a.id());
                        }
                        a.person().ifPresent(person -> found.put(a.id(), person));
                    }
                    // an id merged into a person this service knows (the merge not here yet): the survivor's state
                    Set<String> survivors = new HashSet<>();
                    found.forEach((id, person) -> {
                        if (!person.profileId().equals(id)) {
                            survivors.add(person.profileId());
                        }
                    });
                    Uni<Map<String, SubjectState>> local = survivors.isEmpty() ? Uni.createFrom().item(Map.of())
                            : states.load(survivors, loaded.policy(), now);
                    return local.map(known -> {
                        Map<String, SubjectState> states = new HashMap<>(loaded.states());
                        found.forEach((id, person) -> {
                            SubjectState survivor = known.get(person.profileId());
                            states.put(id, survivor != null && survivor.known() ? survivor
                                    : known(states.get(id), person));
                        });
                        newcomers.increment(found.size());
                        return new Loaded(loaded.policy(), states, unanswered);
                    });
                });
    }

    /** What profile-service answered about an id, if it could be asked. */
    private record Asked(String id, Optional<ProfileClient.Person> person, boolean answered) {
    }

    /** The state of a person profile-service knows and this service does not yet: their addresses, all working. */
    private SubjectState known(SubjectState local, ProfileClient.Person person) {
        Instant now = clock.instant();
        List<SubjectState.Address> addresses = person.addresses().stream().map(a -> new SubjectState.Address(a.kind(),
                a.value(), now, AddressStatus.OK, null, null)).toList();
        return new SubjectState(person.profileId(), true, person.timezone(), null, null, local.doNotContact(),
                addresses, local.purchases(), local.declines(), local.tickets(), local.consents());
    }

    /** A verdict in the making: its reasons so far and the counters asked for it, if any. */
    private static final class Pending {
        final String profileId;
        final List<Reason> reasons = new ArrayList<>();
        PressureCounters.Ask ask;
        boolean reserved;
        SubjectState state;
        Policy policy;

        Pending(String profileId) {
            this.profileId = profileId;
        }
    }

    private Uni<List<Pending>> evaluate(List<ContactRequest> requests, Loaded loaded, Instant now) {
        List<Pending> out = new ArrayList<>(requests.size());
        List<PressureCounters.Ask> asks = new ArrayList<>();
        for (ContactRequest r : requests) {
            if (loaded.states() == null) {
                Pending p = new Pending(r.profileId());
                if (r.purpose() != Purpose.TRANSACTIONAL) {
                    p.reasons.add(Reason.of(Rule.UNAVAILABLE, "What the rules need to know about the person cannot be "
                            + "read right now; " + r.purpose().apiName() + " messages are not allowed blind."));
                }
                out.add(p);
                continue;
            }
            SubjectState state = loaded.states().get(r.profileId());
            Pending p = new Pending(state.profileId());
            if (loaded.unanswered().contains(r.profileId())) {
                p.reasons.add(Reason.of(Rule.UNAVAILABLE, "No event of profile " + r.profileId() + " has reached "
                        + "this service yet, and profile-service cannot be asked about it right now."));
                out.add(p);
                continue;
            }
            p.state = state;
            p.policy = loaded.policy();
            p.reasons.addAll(SuppressionRules.evaluate(r, state, loaded.policy(), now));
            if (r.purpose() == Purpose.MARKETING && state.known() && state.erasedAt() == null) {
                ContactPressure.Check check = check(r.channel(), loaded.policy(),
                        SuppressionRules.zone(state, loaded.policy()), now);
                p.ask = new PressureCounters.Ask(state.profileId(), check, r.commit() && p.reasons.isEmpty());
                asks.add(p.ask);
            }
            out.add(p);
        }
        if (asks.isEmpty()) {
            return Uni.createFrom().item(out);
        }
        return counters.check(asks).map(answers -> {
            int i = 0;
            for (Pending p : out) {
                if (p.ask != null) {
                    PressureCounters.Answer a = answers.get(i++);
                    p.reserved = a.reserved();
                    p.reasons.addAll(ContactPressure.reasons(p.ask.check(), a.counts()));
                }
            }
            return out;
        }).onFailure().recoverWithItem(failure -> {
            countersUnavailable.increment();
            Log.warnf("Cannot read the contact-pressure counters (%s): marketing is denied as unavailable",
                    failure.toString());
            for (Pending p : out) {
                if (p.ask != null) {
                    p.reasons.add(Reason.of(Rule.UNAVAILABLE, "The contact-pressure counters cannot be read right now; "
                            + "marketing is not allowed blind."));
                }
            }
            return out;
        });
    }

    /** A check depends on the channel, the policy, the zone and the person's day only: most people share one. */
    private record CheckKey(Channel channel, Policy policy, ZoneId zone, LocalDate day) {
    }

    /** Days pass and policies change: the oldest checks make room for new ones. */
    private final Cache<CheckKey, ContactPressure.Check> checks = Caffeine.newBuilder().maximumSize(1000).build();

    private ContactPressure.Check check(Channel channel, Policy policy, ZoneId zone, Instant now) {
        return checks.get(new CheckKey(channel, policy, zone, now.atZone(zone).toLocalDate()),
                key -> ContactPressure.check(channel, policy, zone, now));
    }

    private Uni<List<Verdict>> keep(List<ContactRequest> requests, List<Pending> pending, Instant now, String caller) {
        List<Verdict> verdicts = new ArrayList<>(pending.size());
        List<AuditStore.Entry> entries = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            Verdict v = heldPastQuietHours(requests.get(i), p);
            verdicts.add(v);
            if (requests.get(i).commit()) {
                entries.add(new AuditStore.Entry(requests.get(i), v, now, caller));
            }
        }
        if (entries.isEmpty()) {
            return Uni.createFrom().item(verdicts);
        }
        return audit.record(entries).replaceWith(verdicts).onFailure().recoverWithUni(failure -> {
            auditFailures.increment();
            Log.errorf("Cannot keep the audit of %d committed decisions (%s); their places are given back",
                    entries.size(), failure.toString());
            List<PressureCounters.Ask> taken = pending.stream().filter(p -> p.reserved).map(p -> p.ask).toList();
            List<Verdict> out = new ArrayList<>(verdicts.size());
            for (int i = 0; i < verdicts.size(); i++) {
                Verdict v = verdicts.get(i);
                ContactRequest r = requests.get(i);
                if (r.commit() && r.purpose() != Purpose.TRANSACTIONAL && v.decision() != Decision.DENY) {
                    v = new Verdict(v.profileId(), Decision.DENY, null, List.of(Reason.of(Rule.UNAVAILABLE,
                            "The decision could not be recorded, so it is not given.")));
                }
                out.add(v);
            }
            return counters.release(taken).onFailure().recoverWithNull().replaceWith(out);
        });
    }

    /**
     * The verdict; a deferral whose time falls in the person's quiet hours (a cap lifting at midnight) is held on to
     * the end of them, with the quiet-hours reason saying so.
     */
    private static Verdict heldPastQuietHours(ContactRequest r, Pending p) {
        p.reasons.sort(BY_RULE);
        Verdict v = Verdict.of(p.profileId, p.reasons);
        if (v.decision() != Decision.DEFER || p.state == null || r.purpose() == Purpose.TRANSACTIONAL) {
            return v;
        }
        Reason quiet = SuppressionRules.quietHours(r.channel(), p.state, p.policy, v.retryAt());
        if (quiet == null || !quiet.until().isAfter(v.retryAt())) {
            return v;
        }
        p.reasons.removeIf(reason -> reason.rule() == Rule.QUIET_HOURS);
        p.reasons.add(quiet);
        p.reasons.sort(BY_RULE);
        return Verdict.of(p.profileId, p.reasons);
    }

    private void count(List<ContactRequest> requests, List<Verdict> verdicts) {
        for (int i = 0; i < verdicts.size(); i++) {
            decided[verdicts.get(i).decision().ordinal()][requests.get(i).purpose().ordinal()].increment();
        }
    }
}

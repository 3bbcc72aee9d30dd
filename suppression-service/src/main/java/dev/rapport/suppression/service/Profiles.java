package dev.rapport.suppression.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.suppression.ConsentStatus;
import dev.rapport.suppression.ContactPressure;
import dev.rapport.suppression.Reason;
import dev.rapport.suppression.StateChanges;
import dev.rapport.suppression.SubjectState;
import dev.rapport.suppression.SuppressionRules;
import dev.rapport.suppression.repository.AuditStore;
import dev.rapport.suppression.repository.ConsentStore;
import dev.rapport.suppression.repository.PressureCounters;
import dev.rapport.suppression.repository.StateStore;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/** What the REST API shows and changes of one person: suppressions in force, consents, do-not-contact, the audit. */
@ApplicationScoped
public class Profiles {

    /** What is in force for a person now. */
    public record InForce(String profileId, List<SuppressionRules.InForce> items) {
    }

    /** A person's consents in force and every statement received. */
    public record Consents(String profileId, List<SubjectState.Consent> current, List<ConsentStore.Statement> history) {
    }

    private final Policies policies;
    private final StateStore states;
    private final PressureCounters counters;
    private final ConsentStore consents;
    private final AuditStore audit;
    private final Clock clock;

    public Profiles(Policies policies, StateStore states, PressureCounters counters, ConsentStore consents,
            AuditStore audit, Clock clock) {
        this.policies = policies;
        this.states = states;
        this.counters = counters;
        this.consents = consents;
        this.audit = audit;
        this.clock = clock;
    }

    /** The suppressions in force for a person now, contact-pressure caps included. */
    public Uni<InForce> inForce(String profileId) {
        Instant now = clock.instant();
        return policies.current().chain(stored -> states.load(List.of(profileId), stored.policy(), now).chain(map -> {
            SubjectState s = map.get(profileId);
            List<SuppressionRules.InForce> items = new ArrayList<>(SuppressionRules.inForce(s, stored.policy(), now));
            if (!s.known() || s.erasedAt() != null || stored.policy().caps().isEmpty()) {
                return Uni.createFrom().item(new InForce(s.profileId(), items));
            }
            ContactPressure.Check check = ContactPressure.checkAll(stored.policy(), SuppressionRules.zone(s,
                    stored.policy()), now);
            return counters.check(List.of(new PressureCounters.Ask(s.profileId(), check, false))).map(answers -> {
                for (Reason r : ContactPressure.reasons(check, answers.get(0).counts())) {
                    items.add(new SuppressionRules.InForce(r.rule(), "marketing", r.detail(), null, null, r.until()));
                }
                items.sort(Comparator.comparing(i -> i.rule().ordinal()));
                return new InForce(s.profileId(), items);
            });
        })).onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The suppression state"));
    }

    /**
     * Records a consent statement with its evidence for the person the id is now (the survivor of a merge); answers
     * the person's consents afterwards. An erased person's statement is refused.
     */
    public Uni<Consents> recordConsent(String profileId, String channel, String topic, ConsentStatus status,
            String source, Instant at, String by) {
        return states.pool().withTransaction(c -> states.writable(c, profileId, clock.instant()).call(survivor -> {
            StateChanges changes = new StateChanges();
            changes.consent(survivor, channel, topic == null ? "" : topic, status, source, at,
                    "consent-" + UUID.randomUUID());
            return states.ensureSubject(c, survivor, clock.instant())
                    .chain(() -> states.apply(c, changes, clock.instant(), by));
        })).invoke(survivor -> Log.infof("Consent of profile %s for %s%s recorded: %s", survivor, channel,
                topic == null ? "" : "/" + topic, status.apiName()))
                .chain(this::consents)
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The suppression database"));
    }

    /** A person's consents in force and their history (the 500 latest statements). */
    public Uni<Consents> consents(String profileId) {
        Instant now = clock.instant();
        return policies.current().chain(stored -> states.load(List.of(profileId), stored.policy(), now))
                .chain(map -> {
                    SubjectState s = map.get(profileId);
                    return consents.history(s.profileId(), 500).map(h -> new Consents(s.profileId(), s.consents(), h));
                }).onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The suppression database"));
    }

    /** Puts the person an id is now on the do-not-contact list; an erased person is refused. */
    public Uni<String> doNotContact(String profileId, String reason, String source, String by) {
        return states.pool().withTransaction(c -> states.writable(c, profileId, clock.instant())
                .call(survivor -> states.ensureSubject(c, survivor, clock.instant())
                        .chain(() -> consents.doNotContact(c, survivor, reason, source, clock.instant(), by))
                        .chain(() -> states.refresh(c, List.of(survivor)))))
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The suppression database"));
    }

    /** Takes a person off the do-not-contact list; 404 when they were not on it. */
    public Uni<Void> allowContact(String profileId) {
        return states.survivor(profileId).chain(survivor -> states.pool().withTransaction(c -> consents
                .allowContact(c, survivor).call(() -> states.refresh(c, List.of(survivor))))).map(removed -> {
            if (!removed) {
                throw RapportException.notFound("not_on_list", "Profile " + profileId
                        + " is not on the do-not-contact list.");
            }
            return (Void) null;
        }).onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The suppression database"));
    }

    /** A page of a person's audited decisions. */
    public Uni<List<AuditStore.Recorded>> decisions(String profileId, Long before, int limit) {
        return states.survivor(profileId).chain(survivor -> audit.page(survivor, before, limit))
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The suppression database"));
    }
}

package dev.rapport.profile.service;

import java.time.Clock;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.error.Failures;
import dev.rapport.profile.audience.Condition;
import dev.rapport.profile.audience.SegmentSql;
import dev.rapport.profile.repository.AudienceStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Audience queries for campaigns: who matches a segment, and how many. */
@ApplicationScoped
public class Audiences {

    /** Profiles read per query while streaming an audience. */
    static final int PAGE = 1000;

    private final AudienceStore store;
    private final Clock clock;

    public Audiences(AudienceStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Uni<Long> count(Condition segment) {
        return store.count(SegmentSql.compile(segment, 1, clock.instant()))
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The profile database"));
    }

    public Multi<AudienceStore.Member> members(Condition segment, Set<String> traitKeys) {
        return store.stream(SegmentSql.compile(segment, 3, clock.instant()), traitKeys, PAGE)
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The profile database"));
    }
}

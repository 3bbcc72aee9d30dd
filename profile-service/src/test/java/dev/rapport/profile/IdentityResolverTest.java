package dev.rapport.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.rapport.profile.IdentityResolver.KnownProfile;
import dev.rapport.profile.IdentityResolver.Plan;

class IdentityResolverTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private final IdentityResolver resolver = new IdentityResolver();
    private final Map<Identifier, String> owners = new HashMap<>();
    private final Map<String, KnownProfile> profiles = new HashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Supplier<String> newId = () -> "new-" + ids.incrementAndGet();

    private static Identifier email(String v) {
        return new Identifier(IdentifierKind.EMAIL, v);
    }

    private static Identifier phone(String v) {
        return new Identifier(IdentifierKind.PHONE, v);
    }

    private static Identifier anon(String v) {
        return new Identifier(IdentifierKind.ANONYMOUS_ID, v);
    }

    private static Identifier external(String v) {
        return new Identifier(IdentifierKind.EXTERNAL_ID, v);
    }

    private static EventInput event(String id, Identifier... identifiers) {
        return new EventInput(id, "page_viewed", null, NOW, List.of(identifiers), null, null);
    }

    private void known(String id, String createdAt, String externalId, Identifier... identifiers) {
        profiles.put(id, new KnownProfile(id, Instant.parse(createdAt), externalId));
        for (Identifier i : identifiers) {
            owners.put(i, id);
        }
        if (externalId != null) {
            owners.put(external(externalId), id);
        }
    }

    private Plan resolve(EventInput... events) {
        return resolver.resolve(List.of(events), new IdentityResolver.Snapshot(owners, profiles), newId, NOW);
    }

    @Test
    void createsAProfileForIdentifiersNobodyHas() {
        Plan plan = resolve(event("e1", anon("c1"), email("a@x.com")));
        assertThat(plan.created()).extracting(KnownProfile::id).containsExactly("new-1");
        assertThat(plan.eventProfiles()).containsExactly("new-1");
        assertThat(plan.assignments()).containsEntry(anon("c1"), "new-1").containsEntry(email("a@x.com"), "new-1");
        assertThat(plan.merges()).isEmpty();
    }

    @Test
    void attachesNewIdentifiersToTheOneProfileThatMatches() {
        known("p1", "2026-01-01T00:00:00Z", null, email("a@x.com"));
        Plan plan = resolve(event("e1", email("a@x.com"), phone("+79161234567")));
        assertThat(plan.created()).isEmpty();
        assertThat(plan.eventProfiles()).containsExactly("p1");
        assertThat(plan.assignments()).containsExactly(Map.entry(phone("+79161234567"), "p1"));
    }

    @Test
    void mergesEveryMatchedProfileIntoTheOldest() {
        known("p-new", "2026-03-01T00:00:00Z", null, anon("c1"));
        known("p-old", "2026-01-01T00:00:00Z", null, email("a@x.com"));
        known("p-mid", "2026-02-01T00:00:00Z", null, phone("+79161234567"));
        Plan plan = resolve(event("e1", anon("c1"), email("a@x.com"), phone("+79161234567")));
        assertThat(plan.eventProfiles()).containsExactly("p-old");
        assertThat(plan.merges()).containsExactlyInAnyOrder(new IdentityResolver.Merge("p-old", "p-new"),
                new IdentityResolver.Merge("p-old", "p-mid"));
        assertThat(plan.conflicts()).isEmpty();
    }

    @Test
    void laterEventsOfABatchSeeWhatEarlierOnesDid() {
        known("p-old", "2026-01-01T00:00:00Z", null, email("a@x.com"));
        Plan plan = resolve(
                event("e1", anon("c1")), // a new visitor
                event("e2", anon("c1"), email("a@x.com"))); // logs in: the visitor was the known person
        assertThat(plan.created()).as("a profile created and merged in the same batch is never created").isEmpty();
        assertThat(plan.merges()).isEmpty();
        assertThat(plan.eventProfiles()).containsExactly("p-old", "p-old");
        assertThat(plan.assignments()).containsExactly(Map.entry(anon("c1"), "p-old"));
    }

    @Test
    void neverMergesProfilesWithDifferentExternalIdsAndRecordsTheConflict() {
        known("crm-1", "2026-01-01T00:00:00Z", "C-1", email("a@x.com"));
        known("crm-2", "2026-02-01T00:00:00Z", "C-2", phone("+79161234567"));
        Plan plan = resolve(event("e1", external("C-2"), email("a@x.com")));
        assertThat(plan.merges()).isEmpty();
        assertThat(plan.eventProfiles()).as("the event goes with its own externalId").containsExactly("crm-2");
        assertThat(plan.assignments()).as("the email stays with crm-1").isEmpty();
        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.eventId()).isEqualTo("e1");
            assertThat(c.profileId()).isEqualTo("crm-2");
            assertThat(c.otherProfileId()).isEqualTo("crm-1");
        });
    }

    @Test
    void withoutAnExternalIdTheEventGoesWithItsStrongestIdentifier() {
        known("crm-1", "2026-01-01T00:00:00Z", "C-1", email("a@x.com"));
        known("crm-2", "2026-02-01T00:00:00Z", "C-2", phone("+79161234567"));
        Plan plan = resolve(event("e1", phone("+79161234567"), email("a@x.com")));
        assertThat(plan.eventProfiles()).as("email comes before phone").containsExactly("crm-1");
        assertThat(plan.merges()).isEmpty();
        assertThat(plan.conflicts()).hasSize(1);
    }

    @Test
    void anExternalIdNobodyHasStartsAProfileWhenItsOtherIdentifiersBelongToAnotherCustomer() {
        known("crm-1", "2026-01-01T00:00:00Z", "C-1", email("a@x.com"));
        Plan plan = resolve(event("e1", external("C-9"), email("a@x.com"), anon("c7")));
        assertThat(plan.created()).extracting(KnownProfile::id).containsExactly("new-1");
        assertThat(plan.eventProfiles()).containsExactly("new-1");
        assertThat(plan.assignments()).containsEntry(external("C-9"), "new-1").containsEntry(anon("c7"), "new-1")
                .doesNotContainKey(email("a@x.com"));
        assertThat(plan.conflicts()).hasSize(1);
    }

    @Test
    void mergesAProfileWithoutExternalIdIntoTheCustomerItBelongsTo() {
        known("visitor", "2025-12-01T00:00:00Z", null, anon("c1"));
        known("crm-1", "2026-01-01T00:00:00Z", "C-1", email("a@x.com"));
        Plan plan = resolve(event("e1", anon("c1"), email("a@x.com")));
        assertThat(plan.merges()).containsExactly(new IdentityResolver.Merge("visitor", "crm-1"));
        assertThat(plan.eventProfiles()).as("the oldest survives and keeps the externalId").containsExactly("visitor");
    }

    @Test
    void followsChainsOfMergesWithinABatch() {
        known("a", "2026-01-01T00:00:00Z", null, email("a@x.com"));
        known("b", "2026-02-01T00:00:00Z", null, email("b@x.com"));
        known("c", "2026-03-01T00:00:00Z", null, email("c@x.com"));
        Plan plan = resolve(event("e1", email("b@x.com"), email("c@x.com")), event("e2", email("a@x.com"),
                email("c@x.com")));
        List<String> survivors = new ArrayList<>();
        plan.merges().forEach(m -> survivors.add(m.survivor()));
        assertThat(survivors).containsOnly("a");
        assertThat(plan.merges()).extracting(IdentityResolver.Merge::merged).containsExactlyInAnyOrder("b", "c");
        assertThat(plan.eventProfiles()).containsExactly("a", "a");
    }
}

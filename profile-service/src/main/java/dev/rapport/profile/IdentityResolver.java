package dev.rapport.profile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides which profile each event of a batch belongs to, following the identity rules of the architecture:
 * <ul>
 * <li>identifiers that match no profile create one; matching one profile attaches the event's new identifiers to it;
 * matching several merges them into the oldest, which keeps everything;</li>
 * <li>{@code externalId} is authoritative: profiles with different externalIds are never merged; the event goes with
 * the profile of its own externalId (or, without one, of its first identifier in precedence order that has one) and
 * the conflict is recorded; identifiers held by the other profile stay there;</li>
 * <li>events are taken in batch order, each seeing what the earlier ones changed.</li>
 * </ul>
 * Pure logic: the caller reads the current owners of the batch's identifiers and the profiles involved, and applies
 * the resulting {@link Plan}. The plan describes the end state: profiles created and merged within the same batch
 * never appear.
 */
public final class IdentityResolver {

    /** A live profile as far as identity is concerned. */
    public record KnownProfile(String id, Instant createdAt, String externalId) {
    }

    /**
     * What the database holds for a batch.
     *
     * @param owners the live profile owning each of the batch's identifiers that is known
     * @param profiles those live profiles
     */
    public record Snapshot(Map<Identifier, String> owners, Map<String, KnownProfile> profiles) {
    }

    /** A profile merged into another. */
    public record Merge(String survivor, String merged) {
    }

    /** Two profiles an event would have merged but whose externalIds differ. */
    public record Conflict(String eventId, String profileId, String otherProfileId, String detail) {
    }

    /**
     * What to change.
     *
     * @param eventProfiles the profile of each event, by batch position
     * @param created profiles to create
     * @param assignments identifiers not yet known, with the profile they now belong to
     * @param merges profiles existing before the batch that are merged away, with their survivor
     * @param conflicts identity conflicts to record
     */
    public record Plan(List<String> eventProfiles, List<KnownProfile> created, Map<Identifier, String> assignments,
            List<Merge> merges, List<Conflict> conflicts) {
    }

    private static final Comparator<KnownProfile> OLDEST_FIRST = Comparator.comparing(KnownProfile::createdAt)
            .thenComparing(KnownProfile::id);

    /**
     * @param events the batch, in order
     * @param snapshot what the database holds for it
     * @param newId a source of fresh profile ids
     * @param now creation time of new profiles
     */
    public Plan resolve(List<EventInput> events, Snapshot snapshot, Supplier<String> newId, Instant now) {
        Map<Identifier, String> owners = new HashMap<>(snapshot.owners());
        Map<String, KnownProfile> profiles = new HashMap<>(snapshot.profiles());
        Map<String, String> mergedInto = new HashMap<>();
        Set<String> createdIds = new LinkedHashSet<>();
        Map<Identifier, String> assigned = new LinkedHashMap<>();
        List<String> eventProfiles = new ArrayList<>(events.size());
        List<Conflict> conflicts = new ArrayList<>();

        for (EventInput event : events) {
            List<Identifier> ordered = new ArrayList<>(event.identifiers());
            ordered.sort(Comparator.naturalOrder());

            Set<String> candidates = new LinkedHashSet<>();
            for (Identifier identifier : ordered) {
                String owner = owners.get(identifier);
                if (owner != null) {
                    candidates.add(find(mergedInto, owner));
                }
            }

            Identifier ownExternal = event.identifier(IdentifierKind.EXTERNAL_ID);
            String group = ownExternal != null ? ownExternal.value() : null;
            if (group == null) {
                for (String c : candidates) {
                    if (profiles.get(c).externalId() != null) {
                        group = profiles.get(c).externalId();
                        break;
                    }
                }
            }
            List<KnownProfile> mergeable = new ArrayList<>();
            List<KnownProfile> conflicting = new ArrayList<>();
            for (String c : candidates) {
                KnownProfile p = profiles.get(c);
                if (p.externalId() == null || p.externalId().equals(group)) {
                    mergeable.add(p);
                } else {
                    conflicting.add(p);
                }
            }

            KnownProfile target;
            if (mergeable.isEmpty()) {
                target = new KnownProfile(newId.get(), now, null);
                profiles.put(target.id(), target);
                createdIds.add(target.id());
            } else {
                mergeable.sort(OLDEST_FIRST);
                target = mergeable.get(0);
                for (KnownProfile other : mergeable.subList(1, mergeable.size())) {
                    mergedInto.put(other.id(), target.id());
                    if (target.externalId() == null && other.externalId() != null) {
                        target = withExternalId(target, other.externalId());
                        profiles.put(target.id(), target);
                    }
                }
            }
            if (target.externalId() == null && ownExternal != null) {
                target = withExternalId(target, ownExternal.value());
                profiles.put(target.id(), target);
            }
            for (KnownProfile other : conflicting) {
                conflicts.add(new Conflict(event.id(), target.id(), other.id(), "profile " + target.id()
                        + " has externalId " + target.externalId() + ", profile " + other.id() + " has externalId "
                        + other.externalId() + "; not merged"));
            }
            for (Identifier identifier : ordered) {
                if (!owners.containsKey(identifier)) {
                    owners.put(identifier, target.id());
                    assigned.put(identifier, target.id());
                }
            }
            eventProfiles.add(target.id());
        }

        List<KnownProfile> created = new ArrayList<>();
        for (String id : createdIds) {
            if (!mergedInto.containsKey(id)) {
                created.add(profiles.get(id));
            }
        }
        List<Merge> merges = new ArrayList<>();
        for (String merged : mergedInto.keySet()) {
            if (!createdIds.contains(merged)) {
                merges.add(new Merge(find(mergedInto, merged), merged));
            }
        }
        merges.sort(Comparator.comparing(Merge::merged));
        Map<Identifier, String> assignments = new LinkedHashMap<>();
        assigned.forEach((identifier, owner) -> assignments.put(identifier, find(mergedInto, owner)));
        List<String> finalEventProfiles = eventProfiles.stream().map(p -> find(mergedInto, p)).toList();
        List<Conflict> finalConflicts = conflicts.stream()
                .map(c -> new Conflict(c.eventId(), find(mergedInto, c.profileId()), find(mergedInto, c.otherProfileId()),
                        c.detail()))
                .filter(c -> !c.profileId().equals(c.otherProfileId()))
                .toList();
        return new Plan(finalEventProfiles, created, assignments, merges, finalConflicts);
    }

    private static KnownProfile withExternalId(KnownProfile p, String externalId) {
        return new KnownProfile(p.id(), p.createdAt(), Objects.requireNonNull(externalId));
    }

    private static String find(Map<String, String> mergedInto, String id) {
        String current = id;
        String next;
        while ((next = mergedInto.get(current)) != null) {
            current = next;
        }
        return current;
    }
}

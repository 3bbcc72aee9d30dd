package dev.rapport.profile.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.profile.Identifier;
import dev.rapport.profile.Profile;
import dev.rapport.profile.StoredEvent;
import dev.rapport.profile.TimelineCursor;
import dev.rapport.profile.repository.ProfileReadStore;
import dev.rapport.profile.repository.ProfileReadStore.ConflictRecord;
import dev.rapport.profile.repository.ProfileReadStore.IdentifierRecord;
import io.smallrye.mutiny.Uni;

/** Reading profiles: by id (following merges), by identifier, their timelines and everything held about them. */
@ApplicationScoped
public class ProfileQueries {

    /** A page of a timeline. */
    public record TimelinePage(List<StoredEvent> events, TimelineCursor next) {
    }

    /** Everything held about a person. */
    public record Export(Profile profile, List<IdentifierRecord> identifiers, List<StoredEvent> events,
            List<ConflictRecord> conflicts, List<ProfileReadStore.MergedRecord> merged) {
    }

    private final ProfileReadStore store;

    public ProfileQueries(ProfileReadStore store) {
        this.store = store;
    }

    /** The live profile with this id or merged into from it; 404 when there is none or it was erased. */
    public Uni<Profile> byId(String id) {
        return store.byId(id).map(found -> live(found, "id " + id)).onFailure().transform(ProfileQueries::unavailable);
    }

    /** The profile an identifier belongs to; 404 when none. */
    public Uni<Profile> byIdentifier(Identifier identifier) {
        return store.byIdentifier(identifier).map(found -> live(found, "this " + identifier.kind().apiName()))
                .onFailure().transform(ProfileQueries::unavailable);
    }

    /** The id of the profile an identifier belongs to; 404 when none. */
    public Uni<String> resolve(Identifier identifier) {
        return store.resolve(identifier).map(id -> {
            if (id == null) {
                throw RapportException.notFound("profile_not_found", "No profile has this " + identifier.kind().apiName() + ".");
            }
            return id;
        }).onFailure().transform(ProfileQueries::unavailable);
    }

    /** A page of the timeline of the profile with this id (merged profiles included), newest first. */
    public Uni<TimelinePage> timeline(String id, List<String> types, List<String> channels, TimelineCursor after,
            int limit) {
        return byId(id).chain(profile -> store.timeline(profile.id(), types, channels, after, limit)
                .map(events -> {
                    if (events.size() <= limit) {
                        return new TimelinePage(events, null);
                    }
                    List<StoredEvent> page = events.subList(0, limit);
                    StoredEvent last = page.get(page.size() - 1);
                    return new TimelinePage(List.copyOf(page), new TimelineCursor(last.occurredAt(), last.id()));
                }))
                .onFailure().transform(ProfileQueries::unavailable);
    }

    /** Everything held about the person with this id. */
    public Uni<Export> export(String id) {
        return byId(id).chain(profile -> {
            List<String> person = new java.util.ArrayList<>(profile.mergedIds());
            person.add(0, profile.id());
            // identifiers and events moved to the survivor with the merges; conflicts and traits stayed where they were
            return store.identifierRecords(profile.id())
                    .chain(identifiers -> store.allEvents(profile.id())
                            .chain(events -> store.conflicts(person)
                                    .chain(conflicts -> store.merged(profile.mergedIds())
                                            .map(merged -> new Export(profile, identifiers, events, conflicts,
                                                    merged)))));
        }).onFailure().transform(ProfileQueries::unavailable);
    }

    private static Profile live(ProfileReadStore.Found found, String what) {
        return switch (found) {
            case ProfileReadStore.Live live -> live.profile();
            case ProfileReadStore.Erased erased -> throw RapportException.notFound("profile_erased",
                    "The profile with " + what + " was erased.");
            case ProfileReadStore.Missing missing -> throw RapportException.notFound("profile_not_found",
                    "No profile with " + what + ".");
        };
    }

    private static Throwable unavailable(Throwable failure) {
        return Failures.unavailableIfUnreachable(failure, "The profile database");
    }
}

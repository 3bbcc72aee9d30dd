package dev.rapport.profile.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.profile.repository.IntakeStore;
import dev.rapport.profile.repository.IntakeStore.NewEvent;
import dev.rapport.profile.repository.PrivacyStore;
import dev.rapport.profile.stream.OutboxRelay;
import dev.rapport.profile.stream.StreamScrubber;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Erases a person: identifiers, traits, events and summary of the profile and of every profile merged into it are
 * deleted, events not yet published are never published, those published are removed from the event stream
 * ({@link StreamScrubber}), and a {@code profile_erased} event tells the other services to drop what they hold. A new
 * event with the same email afterwards starts a fresh profile.
 */
@ApplicationScoped
public class Erasure {

    private final Pool pool;
    private final PrivacyStore privacy;
    private final IntakeStore intake;
    private final EventIntake events;
    private final OutboxRelay relay;
    private final StreamScrubber scrubber;
    private final ObjectMapper json;
    private final Clock clock;

    public Erasure(Pool pool, PrivacyStore privacy, IntakeStore intake, EventIntake events, OutboxRelay relay,
            StreamScrubber scrubber, ObjectMapper json, Clock clock) {
        this.scrubber = scrubber;
        this.pool = pool;
        this.privacy = privacy;
        this.intake = intake;
        this.events = events;
        this.relay = relay;
        this.json = json;
        this.clock = clock;
    }

    /** Erases the person with this profile id (or one merged into it); 404 when unknown or erased already. */
    public Uni<Void> erase(String id) {
        Instant now = clock.instant();
        return pool.withTransaction(c -> privacy.lockPerson(c, id).chain(ids -> {
            if (ids.isEmpty()) {
                throw RapportException.notFound("profile_not_found", "No profile with id " + id + " to erase.");
            }
            String survivor = ids.get(0);
            ObjectNode properties = json.createObjectNode().put(EventTypes.ERASED_PROFILE_ID, survivor);
            properties.putArray(EventTypes.ERASED_MERGED_IDS).addAll(ids.subList(1, ids.size()).stream()
                    .map(properties::textNode).toList());
            NewEvent erased = new NewEvent(EventTypes.erasedEventId(survivor), survivor, EventTypes.PROFILE_ERASED,
                    null, now, now, "{}", null, properties.toString(), events.partition(survivor));
            return privacy.erase(c, ids, now).chain(() -> intake.insertEvents(c, List.of(erased)))
                    .chain(() -> scrubber.queue(c, ids))
                    .invoke(() -> Log.infof("Erased profile %s and %d merged profile(s)", survivor, ids.size() - 1));
        })).onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The profile database"))
                .invoke(relay::wake).invoke(scrubber::wake);
    }
}

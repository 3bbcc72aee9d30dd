package dev.rapport.channel.stream;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.repository.MessageStore;
import dev.rapport.common.stream.EventHandler;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.stream.StreamEvent;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The gateway's consumer of the event stream: a {@code profile_erased} makes it forget the person, and everyone
 * merged into them, in its messages (see {@link MessageStore#forget}). The providers' callbacks are not tied to a
 * profile: their payloads (numbers, addresses) are dropped with the rest after {@code webhooks.retention}. Idempotent:
 * an erasure that comes again forgets nothing more.
 */
@ApplicationScoped
public class Erasures implements EventHandler {

    private final Pool pool;
    private final MessageStore messages;
    private final Clock clock;

    public Erasures(Pool pool, MessageStore messages, Clock clock) {
        this.pool = pool;
        this.messages = messages;
        this.clock = clock;
    }

    @Override
    public Uni<Void> apply(List<StreamEvent> events) {
        Set<String> erased = new LinkedHashSet<>();
        for (StreamEvent e : events) {
            if (e.type().equals(EventTypes.PROFILE_ERASED)) {
                erased.addAll(e.erasedIds());
            }
        }
        if (erased.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(c -> messages.forget(c, List.copyOf(erased), clock.instant()))
                .invoke(n -> Log.infof("%d profile(s) erased: %d of their messages forgotten", erased.size(), n))
                .replaceWithVoid();
    }
}

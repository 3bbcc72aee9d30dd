package dev.rapport.channel.tracking;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.repository.MessageStore;
import dev.rapport.channel.service.EventRecorder;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * What a tracking link records on its message: an open or a click moves the status forwards (never back) and becomes
 * {@code message_opened} / {@code message_clicked} once; a one-click unsubscribe becomes {@code unsubscribed} from
 * email; a satisfaction score {@code csat_submitted}, the first one counting. The events reach the profile through the
 * gateway's event outbox ({@link EventRecorder}).
 */
@ApplicationScoped
public class TrackingEvents {

    private final Pool pool;
    private final MessageStore messages;
    private final EventRecorder events;
    private final Clock clock;

    public TrackingEvents(Pool pool, MessageStore messages, EventRecorder events, Clock clock) {
        this.pool = pool;
        this.messages = messages;
        this.events = events;
        this.clock = clock;
    }

    /** The message a token names; a 404 problem when it is gone. */
    public Uni<Message> message(String id) {
        return messages.find(id).map(s -> {
            if (s == null) {
                throw RapportException.notFound("unknown_token", "This link is not (or no longer) valid.");
            }
            return s.message();
        });
    }

    /** Records an open. */
    public Uni<Void> opened(String id) {
        return record(id, List.of("sent", "delivered"), "opened", "message_opened", null);
    }

    /** Records a click on a link to {@code url}. */
    public Uni<Void> clicked(String id, String url) {
        return record(id, List.of("sent", "delivered", "opened"), "clicked", "message_clicked",
                new JsonObject().put("url", url));
    }

    /** Records an unsubscribe from email (RFC 8058 one-click, or the page's button). */
    public Uni<Void> unsubscribed(String id) {
        return record(id, List.of(), null, "unsubscribed", new JsonObject().put("channel", "email")
                .put("source", "one_click_unsubscribe"));
    }

    /** Records a satisfaction score ({@code good}, {@code ok}, {@code bad}). */
    public Uni<Void> csat(String id, String score) {
        return record(id, List.of(), null, "csat_submitted", new JsonObject().put("score", score)
                .put("source", "email_footer"));
    }

    private Uni<Void> record(String id, List<String> from, String to, String event, JsonObject properties) {
        Instant now = clock.instant();
        return pool.withTransaction(c -> messages.byId(c, id).chain(s -> {
            if (s == null) {
                return Uni.createFrom().failure(RapportException.notFound("unknown_token",
                        "This link is not (or no longer) valid."));
            }
            return messages.report(c, id, from, to, null, "tracking: " + event.replace('_', ' '), event,
                    properties, now);
        })).invoke(events::wake).replaceWithVoid()
                .onFailure(f -> !(f instanceof RapportException))
                .transform(f -> Failures.unavailableIfUnreachable(f, "The gateway's database"));
    }
}

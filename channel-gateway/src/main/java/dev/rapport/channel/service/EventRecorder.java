package dev.rapport.channel.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.channel.Message;
import dev.rapport.channel.client.ProfileClient;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.repository.MessageStore;
import dev.rapport.channel.repository.MessageStore.PendingEvent;
import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.common.work.Rounds;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Records the events messages become ({@code message_sent}, {@code message_failed}, {@code message_held}, …) on the
 * people's profiles through profile-service's {@code RecordEvents}, a round's events in one call, each carrying the
 * message id, the campaign and the products, so the timeline and campaign statistics see them. They wait in the
 * gateway's database until profile-service took them: while it is down they are tried again with a growing pause;
 * one it refuses for good stays set aside with the reason.
 */
@Singleton
public final class EventRecorder {

    /** When profile-service refused an event for good: it stays, out of the way, for an operator. */
    private static final Instant SET_ASIDE = Instant.parse("9999-01-01T00:00:00Z");

    private final Pool pool;
    private final MessageStore store;
    private final ProfileClient profiles;
    private final ChannelConfig config;
    private final Clock clock;
    private final Rounds rounds;

    public EventRecorder(Pool pool, MessageStore store, ProfileClient profiles, ChannelConfig config,
            DatabaseBootstrap database, Vertx vertx, Clock clock) {
        this.pool = pool;
        this.store = store;
        this.profiles = profiles;
        this.config = config;
        this.clock = clock;
        this.rounds = new Rounds(vertx, "record message events on the profiles", config.eventInterval(),
                config.eventBatchSize(), database::ready, this::round);
    }

    void onStart(@Observes StartupEvent event) {
        rounds.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        rounds.stop();
    }

    /** Asks for a round soon. */
    public void wake() {
        rounds.wake();
    }

    /** One round: the due events, recorded together; answers how many it took. */
    public Uni<Integer> round() {
        Instant now = clock.instant();
        return pool.withTransaction(c -> store.pendingEvents(c, config.eventBatchSize(), now).chain(pending -> {
            if (pending.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            List<Event> events = pending.stream().map(EventRecorder::event).toList();
            return profiles.record(events).chain(r -> apply(c, pending, r))
                    .onFailure().recoverWithUni(f -> {
                        int attempts = pending.stream().mapToInt(PendingEvent::attempts).max().orElse(0);
                        Duration pause = Duration.ofSeconds(Math.min(1L << Math.min(attempts, 8),
                                config.maxBackoff().toSeconds()));
                        return store.later(c, ids(pending), now.plus(pause), LogSanitizer.sanitize(
                                "profile-service: " + f.getMessage()));
                    }).replaceWith(pending.size());
        }));
    }

    private Uni<Void> apply(SqlConnection c, List<PendingEvent> pending, RecordEventsResponse response) {
        Map<String, String> refused = new HashMap<>();
        response.getRejectedList().forEach(r -> refused.put(r.getId(), r.getErrorsList().toString()));
        List<String> recorded = new ArrayList<>();
        List<String> setAside = new ArrayList<>();
        for (PendingEvent e : pending) {
            (refused.containsKey(eventId(e)) ? setAside : recorded).add(e.id());
        }
        Uni<Void> done = recorded.isEmpty() ? Uni.createFrom().voidItem() : store.recorded(c, recorded);
        if (!setAside.isEmpty()) {
            Log.errorf("profile-service refused %d message events for good; they are kept, set aside: %s",
                    setAside.size(), LogSanitizer.sanitize(refused.values().toString()));
            done = done.chain(() -> store.later(c, setAside, SET_ASIDE, LogSanitizer.sanitize(
                    "refused by profile-service: " + refused.values())));
        }
        return done;
    }

    private static List<String> ids(List<PendingEvent> pending) {
        return pending.stream().map(PendingEvent::id).toList();
    }

    private static String eventId(PendingEvent e) {
        return "channel-" + e.id();
    }

    /** The event on the person's profile, named by the identifier the message keeps for it. */
    static Event event(PendingEvent e) {
        Message m = e.message().message();
        Struct.Builder props = Struct.newBuilder().putFields("messageId", text(m.id()))
                .putFields("purpose", text(m.purpose()));
        if (m.campaignId() != null) {
            props.putFields("campaignId", text(m.campaignId()));
        }
        if (!m.productIds().isEmpty()) {
            ListValue.Builder products = ListValue.newBuilder();
            m.productIds().forEach(p -> products.addValues(text(p)));
            props.putFields("productIds", Value.newBuilder().setListValue(products).build());
        }
        if (m.provider() != null) {
            props.putFields("provider", text(m.provider()));
        }
        if (m.lastError() != null && !e.type().equals("message_sent")) {
            props.putFields("reason", text(m.lastError()));
        }
        if (m.segments() > 1) {
            props.putFields("segments", Value.newBuilder().setNumberValue(m.segments()).build());
        }
        if (e.properties() != null) {
            e.properties().forEach(p -> props.putFields(p.getKey(), value(p.getValue())));
        }
        String identity = e.message().identity();
        int colon = identity.indexOf(':');
        Identifier id = Identifier.newBuilder().setKind(IdentifierKind.valueOf("IDENTIFIER_KIND_"
                + identity.substring(0, colon).toUpperCase())).setValue(identity.substring(colon + 1)).build();
        return Event.newBuilder().setId(eventId(e)).setType(e.type())
                .setChannel(Channel.valueOf("CHANNEL_" + m.channel().toUpperCase()))
                .setOccurredAt(Timestamp.newBuilder().setSeconds(e.at().getEpochSecond()).setNanos(e.at().getNano()))
                .addIdentifiers(id).setProperties(props).build();
    }

    /** A JSON value (text, number, flag, list) as a protobuf value. */
    static Value value(Object v) {
        if (v instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        }
        if (v instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        }
        if (v instanceof JsonArray a) {
            ListValue.Builder list = ListValue.newBuilder();
            a.forEach(x -> list.addValues(value(x)));
            return Value.newBuilder().setListValue(list).build();
        }
        return text(String.valueOf(v));
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }
}

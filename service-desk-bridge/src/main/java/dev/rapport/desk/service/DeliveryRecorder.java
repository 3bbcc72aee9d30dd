package dev.rapport.desk.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.desk.DeskPayloads;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.TicketChange;
import dev.rapport.desk.TicketEvents;
import dev.rapport.desk.client.ProfileClient;
import dev.rapport.desk.config.DeskConfig;
import dev.rapport.desk.repository.DeliveryStore;
import dev.rapport.desk.repository.TicketStore;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import dev.rapport.proto.profile.v1.RejectedEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Records stored desk deliveries as events on the requesters' profiles (through profile-service's
 * {@code RecordEvents}, all of a round in one call) and keeps the ticket mirror. Claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so replicas share the work. When profile-service cannot be reached the deliveries stay
 * pending and are tried again with a growing pause; one that can never be recorded (its requester has neither email
 * nor phone, or profile-service refuses its event) is kept as {@code unprocessable} with the reason, and reported.
 */
@Singleton
public class DeliveryRecorder {

    private final Pool pool;
    private final DeliveryStore deliveries;
    private final TicketStore tickets;
    private final ProfileClient profiles;
    private final DeskConfig config;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final Clock clock;
    private final Counter recorded;
    private final Counter unprocessable;
    private final Counter retried;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldest = new AtomicLong();
    private volatile long timer = -1;
    private volatile boolean stopping;
    private volatile long gaugesReadAt;

    public DeliveryRecorder(Pool pool, DeliveryStore deliveries, TicketStore tickets, ProfileClient profiles,
            DeskConfig config, DatabaseBootstrap database, Vertx vertx, Clock clock, MeterRegistry metrics) {
        this.pool = pool;
        this.deliveries = deliveries;
        this.tickets = tickets;
        this.profiles = profiles;
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.clock = clock;
        this.recorded = metrics.counter("rapport.desk.deliveries", "outcome", "recorded");
        this.unprocessable = metrics.counter("rapport.desk.deliveries", "outcome", "unprocessable");
        this.retried = metrics.counter("rapport.desk.deliveries", "outcome", "retried");
        metrics.gauge("rapport.desk.deliveries.pending", backlog, AtomicLong::get);
        metrics.gauge("rapport.desk.deliveries.oldest.age.seconds", oldest, AtomicLong::get);
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.deliveryInterval().toMillis(), id -> wake());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Asks for a round soon; rounds never overlap, and a wake during one causes another. */
    public void wake() {
        if (stopping || !database.ready()) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        gauges().chain(this::round).subscribe().with(n -> finish(n, null), f -> finish(0, f));
    }

    private void finish(int handled, Throwable failure) {
        running.set(false);
        if (failure != null && !stopping) {
            Log.warnf("Cannot record desk deliveries now (%s); they stay stored and are tried again",
                    LogSanitizer.sanitize(String.valueOf(failure.getMessage())));
        }
        if (failure == null && (handled == config.deliveryBatchSize() || again.getAndSet(false))) {
            vertx.runOnContext(this::wake);
        }
    }

    private Uni<Void> gauges() {
        long now = System.nanoTime();
        if (now - gaugesReadAt < 1_000_000_000L) {
            return Uni.createFrom().voidItem();
        }
        gaugesReadAt = now;
        return deliveries.backlog(clock.instant()).invoke(b -> {
            backlog.set(b[0]);
            oldest.set(b[1]);
        }).replaceWithVoid();
    }

    /** One round: claims due deliveries, records them together, updates the mirror; answers how many it handled. */
    public Uni<Integer> round() {
        Instant now = clock.instant();
        return pool.withTransaction(c -> deliveries.claim(c, config.deliveryBatchSize(), now).chain(claimed -> {
            if (claimed.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return record(c, claimed, now).replaceWith(claimed.size());
        }));
    }

    /** A claimed delivery, read, with the mirror's ticket before it and the events it becomes. */
    private record Work(DeliveryStore.Stored stored, TicketChange change, List<Event> events, int first) {
    }

    private Uni<Void> record(SqlConnection c, List<DeliveryStore.Stored> claimed, Instant now) {
        List<Work> work = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        Map<String, Ticket> seen = new HashMap<>();
        for (DeliveryStore.Stored s : claimed) {
            TicketChange change;
            try {
                change = DeskPayloads.read(s.desk(), s.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (DeskPayloads.Invalid e) {
                chain = chain.chain(() -> setAside(c, s, "unreadable: " + e.getMessage()));
                continue;
            }
            TicketChange read = change;
            chain = chain.chain(() -> known(c, read, seen).chain(known -> {
                // a delivery that names the requester by the desk's id only goes to whom the mirror knows
                TicketChange ch = read.hasRequester() || known == null ? read
                        : read.withRequester(known.requesterEmail(), known.requesterPhone());
                if (!ch.hasRequester()) {
                    return setAside(c, s, "the requester has neither an email nor a phone: no person to put the "
                            + "ticket on (set up the desk's webhook to send them)");
                }
                List<Event> of = TicketEvents.of(ch, known, s.receivedAt());
                work.add(new Work(s, ch, of, events.size()));
                events.addAll(of);
                // the deliveries after this one in the round see the ticket as this one leaves it
                seen.put(ch.rapportTicketId(), new Ticket(ch.rapportTicketId(), ch.desk(), ch.ticketId(), null,
                        ch.subject(), ch.open(), now, now, ch.email(), ch.phone()));
                return Uni.createFrom().voidItem();
            }));
        }
        return chain.chain(() -> events.isEmpty() ? Uni.createFrom().voidItem()
                : profiles.record(events).onFailure().recoverWithUni(f -> later(c, work, f))
                        .chain(response -> response == null ? Uni.createFrom().voidItem()
                                : apply(c, work, response, now)));
    }

    private Uni<Ticket> known(SqlConnection c, TicketChange change, Map<String, Ticket> seen) {
        Ticket inRound = seen.get(change.rapportTicketId());
        return inRound != null ? Uni.createFrom().item(inRound) : tickets.lock(c, change.rapportTicketId());
    }

    /** profile-service answered: each delivery is recorded, or set aside when its event was refused. */
    private Uni<Void> apply(SqlConnection c, List<Work> work, RecordEventsResponse response, Instant now) {
        Map<Integer, String> profileOf = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        for (Work w : work) {
            for (int i = 0; i < w.events().size(); i++) {
                index.put(w.events().get(i).getId(), w.first() + i);
            }
        }
        response.getAcceptedList().forEach(a -> {
            Integer i = index.get(a.getId());
            if (i != null) {
                profileOf.put(i, a.getProfileId());
            }
        });
        Map<Integer, RejectedEvent> rejected = new HashMap<>();
        response.getRejectedList().forEach(r -> rejected.put(r.getIndex(), r));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Work w : work) {
            RejectedEvent refused = rejected.get(w.first());
            String profile = profileOf.get(w.first());
            if (refused != null || profile == null) {
                String why = refused == null ? "profile-service did not answer for its event"
                        : "profile-service refused its event: " + refused.getErrorsList().stream()
                                .map(e -> e.getField() + " " + e.getMessage()).toList();
                chain = chain.chain(() -> setAside(c, w.stored(), why));
                continue;
            }
            Instant at = w.change().at() != null ? w.change().at() : w.stored().receivedAt();
            chain = chain.chain(() -> tickets.apply(c, w.change(), profile, at)
                    .chain(() -> deliveries.recorded(c, w.stored().id(), profile, now))
                    .invoke(() -> recorded.increment()));
        }
        return chain;
    }

    /**
     * profile-service did not take them: every delivery waits, longer each time, unless profile-service said the events
     * themselves are wrong ({@code INVALID_ARGUMENT}), which no retry mends. Anything else (down, unreachable, a
     * version that does not know the call yet) passes, so nothing is set aside for it.
     */
    private Uni<RecordEventsResponse> later(SqlConnection c, List<Work> work, Throwable failure) {
        boolean temporary = !(failure instanceof StatusRuntimeException s
                && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT);
        String error = LogSanitizer.sanitize(String.valueOf(failure.getMessage()));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Work w : work) {
            if (temporary) {
                Duration pause = backoff(w.stored().attempts());
                chain = chain.chain(() -> deliveries.retry(c, w.stored().id(), clock.instant().plus(pause), error)
                        .invoke(() -> retried.increment()));
            } else {
                chain = chain.chain(() -> setAside(c, w.stored(), "profile-service refused the events: " + error));
            }
        }
        return chain.replaceWith((RecordEventsResponse) null);
    }

    private Duration backoff(int attempts) {
        long seconds = 1L << Math.min(attempts, 16);
        Duration pause = Duration.ofSeconds(seconds);
        return pause.compareTo(config.deliveryMaxBackoff()) > 0 ? config.deliveryMaxBackoff() : pause;
    }

    private Uni<Void> setAside(SqlConnection c, DeliveryStore.Stored s, String reason) {
        return deliveries.unprocessable(c, s.id(), reason).invoke(() -> {
            unprocessable.increment();
            Log.errorf("Desk delivery %d (%s %s) cannot be recorded and is kept as unprocessable: %s", s.id(), s.desk(),
                    LogSanitizer.sanitize(s.deliveryId()), LogSanitizer.sanitize(reason));
        });
    }
}

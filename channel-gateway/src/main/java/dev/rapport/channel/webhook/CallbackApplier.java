package dev.rapport.channel.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.channel.client.ProfileClient;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.repository.CallbackStore;
import dev.rapport.channel.repository.CallbackStore.Pending;
import dev.rapport.channel.repository.MessageStore;
import dev.rapport.channel.repository.MessageStore.Stored;
import dev.rapport.channel.service.EventRecorder;
import dev.rapport.channel.webhook.Reports.Report;
import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.common.work.Rounds;
import dev.rapport.proto.profile.v1.Event;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Applies the stored callbacks, oldest first, a round at a time ({@code FOR UPDATE SKIP LOCKED}, so replicas share
 * them). A report on a message ({@link Reports}) moves its status forwards only and records its event once; a report
 * on a message the gateway does not know yet (the provider answered faster than the send was recorded) is tried again
 * with a growing pause and set aside once it is a day old. A person's message ({@link Inbound}) is recorded on their
 * profile through profile-service; while profile-service is down it waits, one it refuses is set aside with the reason.
 * Applied callbacks are kept a week, so a redelivery is still recognised, then forgotten.
 */
@Singleton
public final class CallbackApplier {

    private final Pool pool;
    private final CallbackStore callbacks;
    private final MessageStore messages;
    private final ProfileClient profiles;
    private final EventRecorder events;
    private final ChannelConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Rounds rounds;
    private volatile Instant lastCleanup = Instant.EPOCH;

    public CallbackApplier(Pool pool, CallbackStore callbacks, MessageStore messages, ProfileClient profiles,
            EventRecorder events, ChannelConfig config, DatabaseBootstrap database, Vertx vertx, Clock clock,
            MeterRegistry metrics) {
        this.pool = pool;
        this.callbacks = callbacks;
        this.messages = messages;
        this.profiles = profiles;
        this.events = events;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.rounds = new Rounds(vertx, "apply provider callbacks", config.webhooks().interval(),
                config.webhooks().batchSize(), database::ready, this::round);
    }

    void onStart(@Observes StartupEvent event) {
        rounds.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        rounds.stop();
    }

    /** Asks for a round soon (a webhook was stored). */
    public void wake() {
        rounds.wake();
    }

    /** One round: the due callbacks, applied; answers how many it took. */
    public Uni<Integer> round() {
        Instant now = clock.instant();
        return cleanup(now).chain(() -> pool.withTransaction(c -> callbacks.claim(c, config.webhooks().batchSize(),
                now).chain(pending -> {
                    if (pending.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    List<Pending> reports = new ArrayList<>();
                    List<Pending> inbound = new ArrayList<>();
                    List<Long> done = new ArrayList<>();
                    for (Pending p : pending) {
                        switch (p.callback().kind()) {
                            case "status" -> reports.add(p);
                            case "inbound" -> inbound.add(p);
                            default -> done.add(p.id());
                        }
                    }
                    return Multi.createFrom().iterable(reports).onItem()
                            .transformToUniAndConcatenate(p -> report(c, p, now).invoke(applied -> {
                                if (applied) {
                                    done.add(p.id());
                                }
                            })).collect().asList()
                            .chain(() -> inbound(c, inbound, now, done))
                            .chain(() -> done.isEmpty() ? Uni.createFrom().voidItem()
                                    : callbacks.applied(c, done, now))
                            .invoke(() -> {
                                metrics.counter("rapport.channel.callbacks", "outcome", "applied")
                                        .increment(done.size());
                                if (!reports.isEmpty()) {
                                    events.wake();
                                }
                            }).replaceWith(pending.size());
                })));
    }

    /** Applies what a status callback reports; answers whether it is done (else it was put off or set aside). */
    private Uni<Boolean> report(SqlConnection c, Pending p, Instant now) {
        List<Report> said = Reports.of(p.callback());
        if (said.isEmpty()) {
            return Uni.createFrom().item(true);
        }
        Report first = said.get(0);
        Uni<Stored> found = first.ours() ? messages.byId(c, first.key())
                : messages.byProviderId(c, p.callback().provider(), first.key());
        return found.chain(s -> {
            if (s == null) {
                return orphan(c, p, now, "no message has " + p.callback().provider() + "'s id " + first.key())
                        .replaceWith(false);
            }
            return Multi.createFrom().iterable(said).onItem().transformToUniAndConcatenate(r -> messages.report(c,
                    s.message().id(), r.from(), r.to(), r.error(), p.callback().provider() + ": " + r.event()
                            .replace('_', ' ') + (r.error() == null ? "" : " (" + LogSanitizer.sanitize(r.error())
                                    + ")"), r.event(), r.properties(), now))
                    .collect().asList().replaceWith(true);
        });
    }

    /** A report on a message not known (yet): tried again with a growing pause, set aside once it is old. */
    private Uni<Void> orphan(SqlConnection c, Pending p, Instant now, String why) {
        if (p.receivedAt().plus(config.webhooks().orphanAfter()).isBefore(now)) {
            metrics.counter("rapport.channel.callbacks", "outcome", "unprocessable").increment();
            Log.warnf("A %s callback was set aside: %s", p.callback().provider(), LogSanitizer.sanitize(why));
            return callbacks.unprocessable(c, p.id(), why);
        }
        return callbacks.retry(c, p.id(), now.plus(pause(p.attempts())), why);
    }

    /** Records people's messages on their profiles, all of the round's in one call. */
    private Uni<Void> inbound(SqlConnection c, List<Pending> inbound, Instant now, List<Long> done) {
        if (inbound.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Event> recorded = new ArrayList<>();
        Map<String, Pending> byEvent = new HashMap<>();
        for (Pending p : inbound) {
            List<Event> of = Inbound.events(p.callback(), p.receivedAt());
            if (of.isEmpty()) {
                done.add(p.id());
            }
            of.forEach(e -> byEvent.put(e.getId(), p));
            recorded.addAll(of);
        }
        if (recorded.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return profiles.record(recorded).chain(r -> {
            Map<Long, String> refused = new HashMap<>();
            r.getRejectedList().forEach(x -> {
                Pending p = byEvent.get(x.getId());
                if (p != null) {
                    refused.merge(p.id(), x.getErrorsList().toString(), (a, b) -> a + "; " + b);
                }
            });
            inbound.stream().filter(p -> !refused.containsKey(p.id()) && !done.contains(p.id()))
                    .forEach(p -> done.add(p.id()));
            return Multi.createFrom().iterable(refused.entrySet()).onItem().transformToUniAndConcatenate(x -> {
                Log.errorf("profile-service refused an inbound message for good; it is kept, set aside: %s",
                        LogSanitizer.sanitize(x.getValue()));
                return callbacks.unprocessable(c, x.getKey(), LogSanitizer.sanitize("refused by profile-service: "
                        + x.getValue()));
            }).collect().asList().replaceWithVoid();
        }).onFailure().recoverWithUni(f -> Multi.createFrom().iterable(inbound)
                .filter(p -> !done.contains(p.id())).onItem()
                .transformToUniAndConcatenate(p -> callbacks.retry(c, p.id(), now.plus(pause(p.attempts())),
                        LogSanitizer.sanitize("profile-service: " + f.getMessage())))
                .collect().asList().replaceWithVoid());
    }

    /** Forgets applied callbacks past their retention, at most once a minute. */
    private Uni<Void> cleanup(Instant now) {
        if (lastCleanup.plus(Duration.ofMinutes(1)).isAfter(now)) {
            return Uni.createFrom().voidItem();
        }
        lastCleanup = now;
        return callbacks.forget(now.minus(config.webhooks().retention()), 10_000).replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** 1 s, 2 s, 4 s, … up to 5 minutes. */
    static Duration pause(int attempts) {
        return Duration.ofSeconds(Math.min(1L << Math.min(attempts, 9), 300));
    }
}

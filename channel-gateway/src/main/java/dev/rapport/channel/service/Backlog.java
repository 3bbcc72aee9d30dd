package dev.rapport.channel.service;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.channel.repository.CallbackStore;
import dev.rapport.channel.repository.MessageStore;
import dev.rapport.common.db.DatabaseBootstrap;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

/**
 * What waits in the gateway's database, as Prometheus gauges read every few seconds: messages queued for a provider,
 * message events not yet recorded on the profiles, provider callbacks not yet applied and the age of the oldest. A
 * growing number says a worker or a service it needs is stuck; nothing waiting is lost.
 */
@Singleton
public final class Backlog {

    private final MessageStore messages;
    private final CallbackStore callbacks;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final Clock clock;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong unrecorded = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldest = new AtomicLong();
    private volatile long timer = -1;

    public Backlog(MessageStore messages, CallbackStore callbacks, DatabaseBootstrap database, Vertx vertx,
            Clock clock, MeterRegistry metrics) {
        this.messages = messages;
        this.callbacks = callbacks;
        this.database = database;
        this.vertx = vertx;
        this.clock = clock;
        metrics.gauge("rapport.channel.messages.queued", queued, AtomicLong::get);
        metrics.gauge("rapport.channel.events.unrecorded", unrecorded, AtomicLong::get);
        metrics.gauge("rapport.channel.callbacks.pending", pending, AtomicLong::get);
        metrics.gauge("rapport.channel.callbacks.oldest.age.seconds", oldest, AtomicLong::get);
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(5_000, id -> read());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void read() {
        if (!database.ready()) {
            return;
        }
        messages.backlog().invoke(b -> {
            queued.set(b[0]);
            unrecorded.set(b[1]);
        }).chain(() -> callbacks.backlog(clock.instant())).invoke(b -> {
            pending.set(b[0]);
            oldest.set(b[1]);
        }).subscribe().with(x -> { }, f -> { });
    }
}

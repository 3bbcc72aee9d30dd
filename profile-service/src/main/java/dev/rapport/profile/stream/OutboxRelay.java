package dev.rapport.profile.stream;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.common.stream.StreamConfig;
import dev.rapport.profile.config.ProfileConfig;
import dev.rapport.profile.repository.OutboxStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Moves stored events from the outbox to the event stream. It runs when intake wakes it and every
 * {@code relay-interval} besides (for other replicas' rows and for retries). A partition is claimed by one relay at a
 * time and published in outbox order; rows are deleted only once the stream has them, so nothing is lost while Redis
 * is down (it backs off and tries again) and nothing is published that was not stored.
 */
@Singleton
public class OutboxRelay {

    private final Pool pool;
    private final OutboxStore outbox;
    private final EventPublisher publisher;
    private final PartitionGuard partitions;
    private final ProfileConfig config;
    private final StreamConfig stream;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final Clock clock;
    private final Counter published;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private volatile Duration backoff = Duration.ZERO;
    private volatile long nextAttemptAt;
    private volatile String lastFailure;
    private volatile long timer = -1;
    private volatile boolean stopping;
    private volatile long gaugeReadAt;

    public OutboxRelay(Pool pool, OutboxStore outbox, EventPublisher publisher, PartitionGuard partitions,
            ProfileConfig config, StreamConfig stream, DatabaseBootstrap database, Vertx vertx, Clock clock,
            MeterRegistry metrics) {
        this.pool = pool;
        this.outbox = outbox;
        this.publisher = publisher;
        this.partitions = partitions;
        this.stream = stream;
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.clock = clock;
        this.published = metrics.counter("rapport.profile.outbox.published");
        metrics.gauge("rapport.profile.outbox.oldest.age.seconds", oldestAgeMillis, a -> a.get() / 1000.0);
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.stream().relayInterval().toMillis(), id -> wake());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Asks for a round soon; rounds never overlap, and a wake during a round causes one more. */
    public void wake() {
        if (stopping || !database.ready() || System.currentTimeMillis() < nextAttemptAt) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        round().subscribe().with(count -> finish(null), this::finish);
    }

    /** Publishes unpublished events, a page at a time, until none is left; answers how many were published. */
    public Uni<Long> round() {
        long now = System.currentTimeMillis();
        Uni<Void> gauge = Uni.createFrom().voidItem();
        if (now - gaugeReadAt > 1000) {
            gaugeReadAt = now;
            gauge = pool.withConnection(c -> outbox.oldestAge(c, clock.instant()))
                    .invoke(age -> oldestAgeMillis.set(age.toMillis())).replaceWithVoid();
        }
        return gauge.chain(partitions::check).chain(() -> drain(0L));
    }

    private Uni<Long> drain(long sum) {
        int limit = config.stream().relayBatchSize();
        return pool.withTransaction(c -> outbox.claim(c, stream.partitions(), limit)
                .chain(page -> publisher.publish(page.messages()).map(v -> {
                    published.increment(page.messages().values().stream().mapToInt(List::size).sum());
                    return page.rows();
                })))
                .chain(rows -> rows == limit ? drain(sum + rows) : Uni.createFrom().item(sum + rows));
    }

    private void finish(Throwable failure) {
        if (failure == null) {
            if (lastFailure != null) {
                Log.infof("Event stream reachable again; publishing resumed");
            }
            lastFailure = null;
            backoff = Duration.ZERO;
            nextAttemptAt = 0;
        } else {
            String reason = LogSanitizer.sanitize(String.valueOf(failure.getMessage()));
            Duration max = config.stream().relayMaxBackoff();
            backoff = backoff.isZero() ? Duration.ofMillis(200) : backoff.multipliedBy(2);
            if (backoff.compareTo(max) > 0) {
                backoff = max;
            }
            nextAttemptAt = System.currentTimeMillis() + backoff.toMillis();
            if (!reason.equals(lastFailure) && !stopping) {
                Log.errorf("Cannot publish to the event stream (%s); events stay in the outbox and are retried", reason);
            }
            lastFailure = reason;
        }
        running.set(false);
        if (failure == null && again.getAndSet(false)) {
            wake();
        }
    }
}

package dev.rapport.suppression.stream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.error.Failures;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.suppression.StreamEvent;
import dev.rapport.suppression.config.SuppressionConfig;
import dev.rapport.suppression.service.EventApplier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Reads profile-service's event stream with this service's consumer group (every partition, one reader per replica)
 * and applies what it reads; entries are acknowledged only once applied, so nothing is lost when the database is down
 * (the reader backs off and reads its pending entries again). Entries a dead replica left pending are claimed after
 * {@code claim-idle}. Entries that are not CloudEvents of an event are logged and acknowledged.
 */
@Singleton
public class EventStreamConsumer {

    /** The field of each stream entry that holds the CloudEvents document (as profile-service writes it). */
    public static final String FIELD = "cloudevent";

    private final ReactiveStreamCommands<String, String, String> streams;
    private final EventApplier applier;
    private final SuppressionConfig config;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final String consumer;
    private final Counter malformed;
    private final Counter failures;
    private final Counter refused;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile boolean groupsReady;
    private volatile boolean pendingFirst = true;
    private volatile Duration backoff = Duration.ZERO;
    private volatile String lastFailure;
    private volatile long lastClaim = System.nanoTime();

    public EventStreamConsumer(ReactiveRedisDataSource redis, EventApplier applier, SuppressionConfig config,
            DatabaseBootstrap database, Vertx vertx, MeterRegistry metrics) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.applier = applier;
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.consumer = config.stream().consumer().orElseGet(EventStreamConsumer::hostName);
        this.malformed = metrics.counter("rapport.suppression.events.malformed");
        this.failures = metrics.counter("rapport.suppression.stream.failures");
        this.refused = metrics.counter("rapport.suppression.events.refused");
    }

    void onStart(@Observes StartupEvent event) {
        if (config.stream().enabled()) {
            Log.infof("Consuming the event stream %s{0..%d} as %s/%s", config.stream().keyPrefix(),
                    config.stream().partitions() - 1, config.stream().group(), consumer);
            schedule(0);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** The stream key of a partition. */
    public String streamName(int partition) {
        return config.stream().keyPrefix() + "{" + partition + "}";
    }

    private void schedule(long delayMillis) {
        if (stopping) {
            return;
        }
        if (delayMillis <= 0) {
            vertx.runOnContext(this::round);
        } else {
            vertx.setTimer(delayMillis, id -> round());
        }
    }

    private void round() {
        if (stopping || !running.compareAndSet(false, true)) {
            return;
        }
        if (!database.ready()) {
            running.set(false);
            schedule(1000);
            return;
        }
        Uni<Integer> work = groupsReady ? Uni.createFrom().voidItem().replaceWith(0) : createGroups().replaceWith(0);
        work.chain(() -> claimDue() ? claim() : Uni.createFrom().item(0))
                .chain(() -> read())
                .subscribe().with(count -> {
                    running.set(false);
                    if (lastFailure != null) {
                        Log.info("Event stream consumption resumed");
                        lastFailure = null;
                    }
                    backoff = Duration.ZERO;
                    schedule(0);
                }, failure -> {
                    running.set(false);
                    failures.increment();
                    pendingFirst = true;
                    backoff = backoff.isZero() ? Duration.ofMillis(200) : backoff.multipliedBy(2);
                    if (backoff.compareTo(config.stream().maxBackoff()) > 0) {
                        backoff = config.stream().maxBackoff();
                    }
                    String reason = LogSanitizer.sanitize(String.valueOf(failure.getMessage()));
                    if (!reason.equals(lastFailure) && !stopping) {
                        Log.errorf("Cannot consume the event stream (%s); unacknowledged entries are read again", reason);
                    }
                    lastFailure = reason;
                    schedule(backoff.toMillis());
                });
    }

    private Uni<Void> createGroups() {
        List<Uni<Void>> all = new ArrayList<>();
        for (int p = 0; p < config.stream().partitions(); p++) {
            all.add(streams.xgroupCreate(streamName(p), config.stream().group(), "0", new XGroupCreateArgs().mkstream())
                    .onFailure(f -> String.valueOf(f.getMessage()).contains("BUSYGROUP")).recoverWithNull());
        }
        return Uni.join().all(all).andFailFast().invoke(() -> groupsReady = true).replaceWithVoid();
    }

    /** Reads this consumer's pending entries after a failure or a start, new ones otherwise; applies them. */
    private Uni<Integer> read() {
        boolean pending = pendingFirst;
        Map<String, String> from = new LinkedHashMap<>();
        for (int p = 0; p < config.stream().partitions(); p++) {
            from.put(streamName(p), pending ? "0" : ">");
        }
        XReadGroupArgs args = new XReadGroupArgs().count(config.stream().readCount());
        if (!pending) {
            args.block(config.stream().block());
        }
        return streams.xreadgroup(config.stream().group(), consumer, from, args).chain(messages -> {
            if (pending && (messages == null || messages.isEmpty())) {
                pendingFirst = false;
            }
            return process(messages);
        });
    }

    private boolean claimDue() {
        return System.nanoTime() - lastClaim > config.stream().claimIdle().toNanos() / 2;
    }

    /** Takes over entries another consumer left unacknowledged for longer than {@code claim-idle}. */
    private Uni<Integer> claim() {
        lastClaim = System.nanoTime();
        List<Uni<List<StreamMessage<String, String, String>>>> all = new ArrayList<>();
        for (int p = 0; p < config.stream().partitions(); p++) {
            all.add(streams.xautoclaim(streamName(p), config.stream().group(), consumer, config.stream().claimIdle(),
                    "0-0", config.stream().readCount()).map(claimed -> claimed.getMessages()));
        }
        return Uni.join().all(all).andFailFast().chain(lists -> {
            List<StreamMessage<String, String, String>> messages = new ArrayList<>();
            lists.forEach(messages::addAll);
            if (!messages.isEmpty()) {
                Log.infof("Claimed %d event-stream entries left pending by another consumer", messages.size());
            }
            return process(messages);
        });
    }

    private Uni<Integer> process(List<StreamMessage<String, String, String>> messages) {
        if (messages == null || messages.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<StreamEvent> events = new ArrayList<>(messages.size());
        for (StreamMessage<String, String, String> m : messages) {
            String document = m.payload() == null ? null : m.payload().get(FIELD);
            if (document == null) {
                continue; // trimmed or deleted under us, or not an event entry
            }
            try {
                events.add(StreamEvent.parse(document));
            } catch (IllegalArgumentException e) {
                malformed.increment();
                Log.warnf("Event-stream entry %s of %s is not a CloudEvent of an event (%s); skipped", m.id(), m.key(),
                        e.getMessage());
            }
        }
        return applier.apply(events)
                .onFailure(f -> !Failures.isUnreachable(f)).recoverWithUni(f -> oneByOne(events, f))
                .chain(() -> acknowledge(messages)).replaceWith(messages.size());
    }

    /**
     * A run that fails for another reason than an unreachable dependency is applied one event at a time, so one event
     * the database refuses (a poison message) is logged, counted and skipped instead of holding up the stream; when a
     * dependency is unreachable, nothing is skipped and the whole run is read again later.
     */
    private Uni<Void> oneByOne(List<StreamEvent> events, Throwable cause) {
        Log.warnf("Applying %d events together failed (%s); applying them one by one", events.size(),
                LogSanitizer.sanitize(String.valueOf(cause.getMessage())));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (StreamEvent e : events) {
            chain = chain.chain(() -> applier.apply(List.of(e)).onFailure(f -> !Failures.isUnreachable(f))
                    .recoverWithItem(f -> {
                        refused.increment();
                        Log.errorf("Event %s (%s) of profile %s cannot be applied and is skipped: %s",
                                LogSanitizer.sanitize(e.id()), LogSanitizer.sanitize(e.type()),
                                LogSanitizer.sanitize(e.profileId()), LogSanitizer.sanitize(String.valueOf(f.getMessage())));
                        return null;
                    }));
        }
        return chain;
    }

    private Uni<Void> acknowledge(List<StreamMessage<String, String, String>> messages) {
        Map<String, List<String>> byStream = new LinkedHashMap<>();
        messages.forEach(m -> byStream.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.id()));
        List<Uni<Integer>> all = new ArrayList<>();
        byStream.forEach((key, ids) -> all.add(streams.xack(key, config.stream().group(), ids.toArray(String[]::new))));
        return Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "suppression-" + UUID.randomUUID();
        }
    }
}

package dev.rapport.common.stream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;


import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.error.Failures;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.common.redis.Pipelined;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The one consumer of the event stream, for every service that has an {@link EventHandler}: it reads every partition
 * with the service's consumer group (its replicas share the work) and hands what it reads to the handler, and it
 * acknowledges an entry only once the handler applied it, or once it was set aside. In detail:
 *
 * <ul>
 * <li>Groups are made on demand, and made again when Redis lost them (restarted without persistence, flushed, keys
 * evicted: {@code NOGROUP}); the loss is logged and counted, since what Redis lost with them cannot come back.</li>
 * <li>Entries another replica left unacknowledged for {@code claim-idle} are claimed and applied here.</li>
 * <li>A temporary failure (see {@link Failures#isTemporary}: the database restarting or out of connections, a deadlock,
 * Redis loading) leaves the entries pending; they are read again after a back-off. Nothing is skipped.</li>
 * <li>A permanent failure has each event applied alone; one that fails for good, or an entry that is not an event
 * document, goes to the group's dead letters with its reason ({@link DeadLetters}), is counted, and only then
 * acknowledged.</li>
 * <li>An entry deleted before it was applied (an erasure removes a person's entries) is counted and acknowledged.</li>
 * <li>Readiness turns red when the consumer has made no progress for {@code stuck-after}; lag, pending entries, retries
 * and dead letters are metrics tagged with the group.</li>
 * </ul>
 *
 * Partitions are read each on its own (so the consumer works on Redis Cluster, where they live on different nodes), as
 * many as the stream's meta says it ever had.
 */
@Singleton
public class EventStreamConsumer {

    private final Instance<EventHandler> handlers;
    private final ReactiveRedisDataSource redis;
    private final StreamLayout layout;
    private final StreamConfig.Consumer config;
    private final DeadLetters deadLetters;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final String group;
    private final String consumer;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Partitions whose pending entries are to be read before new ones (after a start or a failure). */
    private final BitSet pendingFirst = new BitSet();
    /** Partitions whose group is known to exist. */
    private final BitSet groups = new BitSet();
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();

    private EventHandler handler;
    private Counter applied;
    private Counter retries;
    private Counter dead;
    private Counter deleted;
    private Counter lost;
    private volatile boolean active;
    private volatile boolean stopping;
    private volatile int partitions;
    private volatile Duration backoff = Duration.ZERO;
    /** Rounds in a row that failed for now; from three on, events are applied one by one. */
    private volatile int consecutiveTemporary;
    private volatile String lastFailure;
    private volatile long lastProgress = System.nanoTime();
    private volatile long lastClaim = System.nanoTime();
    private volatile long lastMetaRead;
    private volatile long gaugeTimer = -1;

    public EventStreamConsumer(Instance<EventHandler> handlers, ReactiveRedisDataSource redis, StreamLayout layout,
            DeadLetters deadLetters, DatabaseBootstrap database, Vertx vertx, MeterRegistry metrics) {
        this.handlers = handlers;
        this.redis = redis;
        this.layout = layout;
        this.config = layout.config().consumer();
        this.deadLetters = deadLetters;
        this.database = database;
        this.vertx = vertx;
        this.metrics = metrics;
        this.group = config.group();
        this.consumer = config.name().orElseGet(EventStreamConsumer::defaultName);
        this.partitions = layout.partitions();
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled() || !handlers.isResolvable()) {
            return;
        }
        handler = handlers.get();
        Tags tags = Tags.of("group", group);
        applied = metrics.counter("rapport.stream.consumer.applied", tags);
        retries = metrics.counter("rapport.stream.consumer.retries", tags);
        dead = metrics.counter("rapport.stream.consumer.dead.letters", tags);
        deleted = metrics.counter("rapport.stream.consumer.deleted", tags);
        lost = metrics.counter("rapport.stream.consumer.groups.lost", tags);
        metrics.gauge("rapport.stream.consumer.lag", tags, lag, AtomicLong::get);
        metrics.gauge("rapport.stream.consumer.pending", tags, pending, AtomicLong::get);
        metrics.gauge("rapport.stream.consumer.dead.letters.stored", tags, stored, AtomicLong::get);
        metrics.gauge("rapport.stream.consumer.progress.age.seconds", tags, this,
                c -> (System.nanoTime() - c.lastProgress) / 1e9);
        active = true;
        pendingFirst.set(0, Math.max(partitions, 1));
        Log.infof("Consuming the event stream %s{0..} as %s/%s", layout.config().keyPrefix(), group, consumer);
        gaugeTimer = vertx.setPeriodic(5000, id -> readGauges());
        schedule(0);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (gaugeTimer >= 0) {
            vertx.cancelTimer(gaugeTimer);
        }
    }

    /** Whether this service consumes the stream. */
    public boolean active() {
        return active;
    }

    /** The consumer group. */
    public String group() {
        return group;
    }

    /** This replica's name in the group. */
    public String name() {
        return consumer;
    }

    /** How many partitions are read. */
    public int partitions() {
        return partitions;
    }

    /** How long ago the consumer last made progress (caught up, or acknowledged entries). */
    public Duration sinceProgress() {
        return Duration.ofNanos(System.nanoTime() - lastProgress);
    }

    /** Whether the consumer has made no progress for {@code stuck-after}. */
    public boolean stuck() {
        return active && sinceProgress().compareTo(config.stuckAfter()) > 0;
    }

    /** The last failure of a round, sanitised, or null after a successful one. */
    public String lastFailure() {
        return lastFailure;
    }

    // ------------------------------------------------------------------------------------------------ the loop ---

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
        readPartitions().chain(this::makeGroups)
                .chain(() -> claimDue() ? claim() : Uni.createFrom().item(0))
                .chain(claimed -> read().map(read -> claimed + read))
                .subscribe().with(count -> {
                    running.set(false);
                    if (lastFailure != null) {
                        Log.infof("Event stream consumption of %s resumed", group);
                        lastFailure = null;
                    }
                    backoff = Duration.ZERO;
                    consecutiveTemporary = 0;
                    if (count == 0) {
                        lastProgress = System.nanoTime(); // caught up
                    }
                    schedule(count == 0 ? config.pollInterval().toMillis() : 0);
                }, this::failed);
    }

    private void failed(Throwable failure) {
        running.set(false);
        pendingFirst.set(0, partitions);
        if (Failures.isMissingGroup(failure)) {
            groups.clear();
            lost.increment();
            Log.errorf("The consumer group %s of the event stream was lost (Redis restarted without persistence, was "
                    + "flushed or evicted keys): it is made again from the start of what the stream still holds; "
                    + "entries Redis lost with it cannot be recovered", group);
            schedule(0);
            return;
        }
        retries.increment();
        if (Failures.isTemporary(failure)) {
            consecutiveTemporary++;
        }
        backoff = backoff.isZero() ? Duration.ofMillis(200) : backoff.multipliedBy(2);
        if (backoff.compareTo(config.maxBackoff()) > 0) {
            backoff = config.maxBackoff();
        }
        String reason = LogSanitizer.sanitize(String.valueOf(failure.getMessage()));
        if (!reason.equals(lastFailure) && !stopping) {
            Log.errorf("Cannot consume the event stream as %s (%s); unacknowledged entries are read again in %d ms",
                    group, reason, backoff.toMillis());
        }
        lastFailure = reason;
        schedule(backoff.toMillis());
    }

    /** Learns from the stream's meta how many partitions it has ever had, now and then. */
    private Uni<Void> readPartitions() {
        long now = System.nanoTime();
        if (now - lastMetaRead < config.claimIdle().toNanos() / 2 && lastMetaRead != 0) {
            return Uni.createFrom().voidItem();
        }
        lastMetaRead = now;
        return redis.hash(String.class).hget(layout.meta(), StreamLayout.META_HIGHEST).map(highest -> {
            int known = highest == null ? layout.partitions() : Integer.parseInt(highest);
            if (known > partitions) {
                Log.infof("The event stream has %d partitions now (was %d); %s reads them all", known, partitions,
                        group);
                pendingFirst.set(partitions, known);
                partitions = known;
            }
            return null;
        });
    }

    private Uni<Void> makeGroups() {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (!groups.get(p)) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Pipelined.each(redis.getRedis(), missing, (connection, p) -> connection.send(Request.cmd(Command.XGROUP)
                .arg("CREATE").arg(layout.stream(p)).arg(group).arg("0").arg("MKSTREAM"))
                .onFailure(f -> String.valueOf(f.getMessage()).contains("BUSYGROUP")).recoverWithNull())
                .invoke(() -> missing.forEach(groups::set)).replaceWithVoid();
    }

    /**
     * Reads each partition: its pending entries after a start or a failure, new ones otherwise; applies them. The reads
     * are pipelined on one connection (on a cluster, one to each node): the consumer never holds more than that.
     */
    private Uni<Integer> read() {
        List<Integer> all = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        return Pipelined.each(redis.getRedis(), all, (connection, p) -> connection.send(Request.cmd(Command.XREADGROUP)
                .arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(config.readCount()).arg("STREAMS")
                .arg(layout.stream(p)).arg(pendingFirst.get(p) ? "0" : ">"))).chain(answers -> {
                    List<StreamMessage<String, String, String>> messages = new ArrayList<>();
                    for (int p = 0; p < answers.size(); p++) {
                        List<StreamMessage<String, String, String>> read = entries(layout.stream(p),
                                read(answers.get(p), layout.stream(p)));
                        if (read.isEmpty()) {
                            pendingFirst.clear(p);
                        }
                        messages.addAll(read);
                    }
                    return process(messages);
                });
    }

    /** The entries of a stream in an {@code XREADGROUP} answer, RESP2 (a list of [key, entries]) or RESP3 (a map). */
    private static Response read(Response answer, String key) {
        if (answer == null || answer.size() == 0) {
            return null;
        }
        try {
            if (answer.getKeys() != null && !answer.getKeys().isEmpty()) {
                return answer.get(key);
            }
        } catch (RuntimeException notAMap) {
            // a RESP2 list
        }
        for (Response stream : answer) {
            if (stream != null && stream.size() == 2 && key.equals(stream.get(0).toString())) {
                return stream.get(1);
            }
        }
        return null;
    }

    /** Entries [id, [field, value, …]] as messages; a deleted entry comes without fields and is kept without them. */
    private static List<StreamMessage<String, String, String>> entries(String key, Response entries) {
        List<StreamMessage<String, String, String>> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        for (Response entry : entries) {
            if (entry == null || entry.size() == 0) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Response values = entry.size() > 1 ? entry.get(1) : null;
            if (values != null) {
                for (int i = 0; i + 1 < values.size(); i += 2) {
                    fields.put(values.get(i).toString(),
                            values.get(i + 1) == null ? null : values.get(i + 1).toString());
                }
            }
            out.add(new StreamMessage<>(key, entry.get(0).toString(), fields.isEmpty() ? null : fields));
        }
        return out;
    }

    private boolean claimDue() {
        return System.nanoTime() - lastClaim > config.claimIdle().toNanos() / 2;
    }

    /** Takes over entries another replica left unacknowledged for longer than {@code claim-idle}. */
    private Uni<Integer> claim() {
        lastClaim = System.nanoTime();
        List<Integer> all = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        return Pipelined.each(redis.getRedis(), all, (connection, p) -> connection.send(Request.cmd(Command.XAUTOCLAIM)
                .arg(layout.stream(p)).arg(group).arg(consumer).arg(config.claimIdle().toMillis()).arg("0-0")
                .arg("COUNT").arg(config.readCount()))).chain(answers -> {
                    List<StreamMessage<String, String, String>> messages = new ArrayList<>();
                    for (int p = 0; p < answers.size(); p++) {
                        messages.addAll(claimed(p, answers.get(p)));
                    }
                    if (!messages.isEmpty()) {
                        Log.infof("Claimed %d event-stream entries left pending by another consumer of %s",
                                messages.size(), group);
                    }
                    return process(messages);
                });
    }

    /**
     * The entries of an {@code XAUTOCLAIM} answer: {cursor, claimed entries, ids of entries deleted meanwhile (Redis
     * 7)}. Redis 7 has already taken the deleted ones out of the pending list; they are counted. Redis 6.2 answers a
     * deleted entry with a nil in the list and keeps it pending under this consumer: the partition's pending entries
     * are read next round, where it comes back with its id, and is counted and acknowledged then.
     */
    private List<StreamMessage<String, String, String>> claimed(int partition, Response answer) {
        if (answer == null || answer.size() < 2) {
            return List.of();
        }
        String key = layout.stream(partition);
        for (Response entry : answer.get(1)) {
            if (entry == null || entry.size() == 0) {
                pendingFirst.set(partition);
            }
        }
        List<StreamMessage<String, String, String>> out = entries(key, answer.get(1));
        if (answer.size() > 2 && answer.get(2) != null && answer.get(2).size() > 0) {
            deleted.increment(answer.get(2).size());
            Log.infof("%d event-stream entries of %s left pending by another consumer were deleted before %s applied "
                    + "them", answer.get(2).size(), key, group);
        }
        return out;
    }

    // --------------------------------------------------------------------------------------------- applying ---

    /** An entry read: where it is, and the event it holds. */
    private record Read(StreamMessage<String, String, String> message, StreamEvent event) {
    }

    /** Applies what was read and acknowledges it; answers how many entries were read. */
    private Uni<Integer> process(List<StreamMessage<String, String, String>> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<Read> events = new ArrayList<>(messages.size());
        List<StreamMessage<String, String, String>> done = new ArrayList<>();
        Uni<Void> setAside = Uni.createFrom().voidItem();
        for (StreamMessage<String, String, String> m : messages) {
            String document = m.payload() == null ? null : m.payload().get(StreamLayout.FIELD);
            if (document == null) {
                if (m.payload() == null || m.payload().isEmpty()) {
                    // deleted before it was applied: an erasure removes a person's entries
                    deleted.increment();
                    Log.infof("Event-stream entry %s of %s was deleted before %s applied it", m.id(), m.key(), group);
                    done.add(m);
                    continue;
                }
                setAside = setAside.chain(() -> deadLetter(m, null, null, "not an event entry: no field "
                        + StreamLayout.FIELD));
                done.add(m);
                continue;
            }
            try {
                events.add(new Read(m, StreamEvent.parse(document)));
            } catch (IllegalArgumentException e) {
                setAside = setAside.chain(() -> deadLetter(m, null, document, "not a CloudEvent of an event: "
                        + e.getMessage()));
                done.add(m);
            }
        }
        // what is set aside is acknowledged before the rest is applied, so a failure of the rest does not set it
        // aside twice
        return setAside.chain(() -> acknowledge(done)).chain(() -> apply(events))
                .call(outcome -> forgetErased(events, outcome.applied())).call(outcome -> acknowledge(outcome.done()))
                .chain(outcome -> outcome.temporary() == null ? Uni.createFrom().item(messages.size())
                        : Uni.createFrom().failure(outcome.temporary()));
    }

    /**
     * What applying entries came to.
     *
     * @param done the entries to acknowledge: applied, or set aside as dead letters
     * @param applied those applied
     * @param temporary the temporary failure that left others pending, or null
     */
    private record Outcome(List<StreamMessage<String, String, String>> done,
            List<StreamMessage<String, String, String>> applied, Throwable temporary) {
    }

    /**
     * Applies the events together, or each alone after a permanent failure of them together, or after temporary
     * failures in three rounds in a row (so one event that keeps failing, a statement that always times out say,
     * holds up only itself).
     */
    private Uni<Outcome> apply(List<Read> reads) {
        if (reads.isEmpty()) {
            return Uni.createFrom().item(new Outcome(List.of(), List.of(), null));
        }
        if (consecutiveTemporary >= 3 && reads.size() > 1) {
            Log.infof("%s applies %d events one by one after %d temporary failures in a row", group, reads.size(),
                    consecutiveTemporary);
            return oneByOne(reads);
        }
        List<StreamEvent> events = reads.stream().map(Read::event).toList();
        List<StreamMessage<String, String, String>> all = reads.stream().map(Read::message).toList();
        return handler.apply(events).invoke(() -> applied.increment(events.size()))
                .replaceWith(() -> new Outcome(all, all, null))
                .onFailure(f -> !Failures.isTemporary(f)).recoverWithUni(f -> {
                    Log.warnf("Applying %d events together failed for good (%s); %s applies them one by one",
                            events.size(), LogSanitizer.sanitize(String.valueOf(f.getMessage())), group);
                    return oneByOne(reads);
                });
    }

    /**
     * Applies each event alone: one that fails for good is set aside; one that fails for now stays pending, to be
     * read again, while the others go on (the handler's facts do not depend on their order). Three failures for now
     * in a row mean the cause is not the events (the database is down): the rest stay pending too, untried.
     */
    private Uni<Outcome> oneByOne(List<Read> reads) {
        List<StreamMessage<String, String, String>> done = new ArrayList<>();
        List<StreamMessage<String, String, String>> ok = new ArrayList<>();
        Throwable[] temporary = new Throwable[1];
        int[] streak = new int[1];
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Read r : reads) {
            chain = chain.chain(() -> streak[0] >= 3 ? Uni.createFrom().voidItem()
                    : handler.apply(List.of(r.event())).invoke(() -> {
                        applied.increment();
                        streak[0] = 0;
                        done.add(r.message());
                        ok.add(r.message());
                    }).onFailure(Failures::isTemporary).recoverWithItem(f -> {
                        temporary[0] = f;
                        streak[0]++;
                        return null;
                    }).onFailure().recoverWithUni(f -> deadLetter(r.message(), r.event(),
                            r.message().payload().get(StreamLayout.FIELD), DeadLetters.reason("cannot be applied", f))
                            .invoke(() -> done.add(r.message()))));
        }
        return chain.map(v -> new Outcome(done, ok, temporary[0]));
    }

    /** Dead letters about a person erased are removed once the erasure is applied (not when it was set aside). */
    private Uni<Void> forgetErased(List<Read> reads, List<StreamMessage<String, String, String>> applied) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Read r : reads) {
            if (r.event().type().equals(EventTypes.PROFILE_ERASED) && applied.contains(r.message())) {
                chain = chain.chain(() -> forget(r.event()).replaceWithVoid());
            }
        }
        return chain;
    }

    private Uni<Void> deadLetter(StreamMessage<String, String, String> m, StreamEvent event, String document,
            String reason) {
        String subject = event != null ? event.profileId() : null;
        return deadLetters.add(group, m.key(), m.id(), event == null ? null : event.id(), subject, document, reason)
                .invoke(id -> {
                    dead.increment();
                    Log.errorf("Event-stream entry %s of %s (event %s) is set aside as dead letter %s of %s: %s",
                            m.id(), m.key(), event == null ? "unknown" : LogSanitizer.sanitize(event.id()), id, group,
                            LogSanitizer.sanitize(reason));
                }).replaceWithVoid();
    }

    private Uni<Void> acknowledge(List<StreamMessage<String, String, String>> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, List<String>> byStream = new LinkedHashMap<>();
        messages.forEach(m -> byStream.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.id()));
        List<Request> acks = new ArrayList<>();
        byStream.forEach((key, ids) -> {
            Request ack = Request.cmd(Command.XACK).arg(key).arg(group);
            ids.forEach(ack::arg);
            acks.add(ack);
        });
        return Pipelined.send(redis.getRedis(), acks).invoke(() -> lastProgress = System.nanoTime()).replaceWithVoid();
    }

    // ------------------------------------------------------------------------------------------- operators ---

    /**
     * Applies a dead letter again (after the cause was fixed) and removes it once applied; answers false when there is
     * no such letter. A letter that still fails stays, and the failure is the answer.
     */
    public Uni<Boolean> replay(String letterId) {
        if (!active) {
            return Uni.createFrom().item(false);
        }
        return deadLetters.get(group, letterId).chain(letter -> {
            if (letter == null) {
                return Uni.createFrom().item(false);
            }
            if (letter.document() == null) {
                throw new IllegalArgumentException("dead letter " + letterId + " holds no event to apply");
            }
            StreamEvent event = StreamEvent.parse(letter.document());
            return handler.apply(List.of(event)).chain(() -> deadLetters.remove(group, letterId)).replaceWith(true);
        });
    }

    /** Removes this group's dead letters about an erased person and everyone merged into them. */
    public Uni<Integer> forget(StreamEvent erased) {
        if (!active) {
            return Uni.createFrom().item(0);
        }
        return deadLetters.scrub(group, Set.copyOf(erased.erasedIds()));
    }

    private void readGauges() {
        if (stopping || !active) {
            return;
        }
        List<Integer> all = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        Pipelined.each(redis.getRedis(), all, (connection, p) -> connection.send(Request.cmd(Command.XINFO)
                .arg("GROUPS").arg(layout.stream(p))).onFailure().recoverWithNull()).chain(answers -> {
                    long lagged = 0;
                    long held = 0;
                    for (Response r : answers) {
                        StreamGroups.Group g = r == null ? null : StreamGroups.find(r, group);
                        if (g != null) {
                            lagged += Math.max(g.lag(), 0);
                            held += g.pending();
                        }
                    }
                    lag.set(lagged);
                    pending.set(held);
                    return deadLetters.count(group);
                }).subscribe().with(stored::set,
                        f -> Log.debugf("Cannot read the event-stream gauges: %s", f.toString()));
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "consumer";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}

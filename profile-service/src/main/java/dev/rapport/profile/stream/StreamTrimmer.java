package dev.rapport.profile.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.common.stream.StreamConfig;
import dev.rapport.common.stream.StreamGroups;
import dev.rapport.common.stream.StreamLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.XTrimArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Keeps the partitions of the event stream within {@code rapport.stream.max-length} entries without ever trimming an
 * entry a consumer group has not acknowledged: a partition over the bound is trimmed up to the oldest entry some group
 * still holds pending or has not read yet ({@code XTRIM MINID}), so what stays is what some group still needs
 * (keeping the newest acknowledged entries up to the bound would need the id at a position of the stream, which Redis
 * cannot give without reading every entry before it). What a lagging group holds back beyond the bound is a
 * metric ({@code rapport.stream.entries.held}) and a warning naming the group, never a loss. A partition no group reads
 * yet is trimmed to the bound. Any replica may trim; trimming twice is harmless.
 */
@Singleton
public class StreamTrimmer {

    private final ReactiveRedisDataSource redis;
    private final ReactiveStreamCommands<String, String, String> streams;
    private final StreamLayout layout;
    private final StreamConfig config;
    private final PartitionGuard partitions;
    private final Vertx vertx;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private volatile long timer = -1;
    private volatile long warnedAt;

    public StreamTrimmer(ReactiveRedisDataSource redis, StreamLayout layout, StreamConfig config,
            PartitionGuard partitions, Vertx vertx, MeterRegistry metrics) {
        this.redis = redis;
        this.streams = redis.stream(String.class, String.class, String.class);
        this.layout = layout;
        this.config = config;
        this.partitions = partitions;
        this.vertx = vertx;
        metrics.gauge("rapport.stream.entries", entries, AtomicLong::get);
        metrics.gauge("rapport.stream.entries.held", held, AtomicLong::get);
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.trimInterval().toMillis(), id -> trim().subscribe().with(n -> {
        }, f -> Log.debugf("Cannot trim the event stream now: %s", f.toString())));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** What trimming a partition left: its length, and how many entries beyond the bound groups hold back. */
    public record Trimmed(long length, long held, String heldBy) {
    }

    /** Trims every partition the stream ever had; answers the entries groups hold back beyond the bound. */
    public Uni<Long> trim() {
        return partitions.highest().chain(n -> {
            List<Uni<Trimmed>> all = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                all.add(trim(p, config.maxLength()));
            }
            return Uni.join().all(all).andFailFast();
        }).map(results -> {
            entries.set(results.stream().mapToLong(Trimmed::length).sum());
            long over = results.stream().mapToLong(Trimmed::held).sum();
            held.set(over);
            if (over > 0 && System.nanoTime() - warnedAt > 300_000_000_000L) {
                warnedAt = System.nanoTime();
                Log.warnf("The event stream holds %d entries beyond rapport.stream.max-length (%d per partition) that "
                        + "consumer group %s has not acknowledged yet; they are kept until it has", over,
                        config.maxLength(), results.stream().filter(r -> r.heldBy() != null).findFirst()
                                .map(Trimmed::heldBy).orElse("?"));
            }
            return over;
        });
    }

    /** Trims one partition over {@code maxLength} entries to what some group has not acknowledged yet. */
    public Uni<Trimmed> trim(int partition, long maxLength) {
        String key = layout.stream(partition);
        return streams.xlen(key).chain(length -> {
            if (length <= maxLength) {
                return Uni.createFrom().item(new Trimmed(length, 0, null));
            }
            return redis.execute("XINFO", "GROUPS", key).chain(info -> {
                List<StreamGroups.Group> groups = StreamGroups.of(info);
                if (groups.isEmpty()) {
                    return streams.xtrim(key, new XTrimArgs().maxlen(maxLength))
                            .chain(() -> streams.xlen(key)).map(left -> new Trimmed(left, 0, null));
                }
                List<Uni<String>> safe = new ArrayList<>();
                for (StreamGroups.Group g : groups) {
                    safe.add(g.pending() == 0 ? Uni.createFrom().item(g.lastDelivered())
                            : streams.xpending(key, g.name()).map(summary -> {
                                String lowest = summary.getLowestId();
                                return lowest == null || StreamGroups.compareIds(g.lastDelivered(), lowest) < 0
                                        ? g.lastDelivered() : lowest;
                            }));
                }
                return Uni.join().all(safe).andFailFast().chain(ids -> {
                    String oldest = ids.get(0);
                    String by = groups.get(0).name();
                    for (int i = 1; i < ids.size(); i++) {
                        if (StreamGroups.compareIds(ids.get(i), oldest) < 0) {
                            oldest = ids.get(i);
                            by = groups.get(i).name();
                        }
                    }
                    String heldBy = by;
                    return streams.xtrim(key, new XTrimArgs().minid(oldest))
                            .chain(() -> streams.xlen(key))
                            .map(left -> left > maxLength ? new Trimmed(left, left - maxLength, heldBy)
                                    : new Trimmed(left, 0, null));
                });
            });
        });
    }
}

package dev.rapport.profile.stream;

import java.util.List;

import jakarta.inject.Singleton;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.stream.StreamConfig;
import dev.rapport.common.stream.StreamLayout;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the partition count of the stream one for the whole suite. The stream's meta hash ({@link StreamLayout#meta})
 * records the count it is published with and the highest it ever had; consumers read that many partitions. A
 * profile-service configured with another count refuses to publish (readiness turns red, events stay in the outbox)
 * unless {@code rapport.stream.repartition} says the change is meant; then it records the new count, and since
 * consumers go on reading every partition the stream ever had and the relay publishes queued rows to the partition they
 * were queued for, nothing is stranded.
 */
@Singleton
public class PartitionGuard {

    /**
     * KEYS[1] the meta hash. ARGV[1] this replica's count, ARGV[2] 1 when a change is meant. Answers {the stream's
     * count, the highest count}; the stream's count differs from ARGV[1] only when this replica is refused.
     */
    static final String SCRIPT = """
            local current = redis.call('HGET', KEYS[1], 'partitions')
            if not current or (current ~= ARGV[1] and ARGV[2] == '1') then
              redis.call('HSET', KEYS[1], 'partitions', ARGV[1])
              current = ARGV[1]
            end
            local highest = tonumber(redis.call('HGET', KEYS[1], 'highest') or '0')
            if tonumber(current) > highest then
              highest = tonumber(current)
              redis.call('HSET', KEYS[1], 'highest', tostring(highest))
            end
            return {current, tostring(highest)}
            """;

    private final ReactiveRedisDataSource redis;
    private final StreamLayout layout;
    private final StreamConfig config;
    private volatile String refused;
    private volatile long checkedAt;

    public PartitionGuard(ReactiveRedisDataSource redis, StreamLayout layout, StreamConfig config) {
        this.redis = redis;
        this.layout = layout;
        this.config = config;
    }

    /**
     * Checks (now and then: every 30 s, so a meta lost with Redis's data comes back) that this replica's partition
     * count is the stream's; fails with UNAVAILABLE saying why when it is not.
     */
    public Uni<Void> check() {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < 30_000_000_000L) {
            return refused == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure());
        }
        return verify();
    }

    /** Checks now, whenever it was checked last. */
    public Uni<Void> verify() {
        String mine = String.valueOf(config.partitions());
        return redis.execute("EVAL", SCRIPT, "1", layout.meta(), mine, config.repartition() ? "1" : "0").map(r -> {
            checkedAt = System.nanoTime();
            String current = r.get(0).toString();
            if (current.equals(mine)) {
                if (refused != null) {
                    Log.infof("The event stream's partition count is %s again; publishing resumes", mine);
                }
                refused = null;
                return null;
            }
            if (refused == null) {
                Log.errorf("The event stream is published with %s partitions, but this replica is configured with %s: "
                        + "it does not publish (events stay in the outbox). Set rapport.stream.partitions=%s, or "
                        + "rapport.stream.repartition=true to change the count on purpose.", current, mine, current);
            }
            refused = "the event stream has " + current + " partitions; this replica is configured with " + mine;
            throw failure();
        });
    }

    /** Why publishing is refused, or null when it is not. */
    public String refused() {
        return refused;
    }

    /** The partitions a consumer reads: the highest count the stream ever had, as far as this replica knows. */
    public Uni<Integer> highest() {
        return redis.hash(String.class).hget(layout.meta(), StreamLayout.META_HIGHEST)
                .map(h -> h == null ? config.partitions() : Math.max(Integer.parseInt(h), config.partitions()));
    }

    private RapportException failure() {
        return new RapportException(ErrorKind.UNAVAILABLE, "partition_mismatch", refused, List.of());
    }
}

package dev.rapport.profile.stream;

import static dev.rapport.common.db.SqlValues.texts;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.stream.StreamLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Removes an erased person's entries from the event stream: what was published before the erasure still carried
 * their identifiers and traits. An erasure queues the person's profile ids ({@link #queue}, in its transaction); this
 * sweeps every partition with a script that deletes the entries whose subject is one of them, a page at a time, and
 * drops the request once done. The {@code profile_erased} entry itself (ids only) stays, so consumers still learn of
 * the erasure. Requests are claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas share them; a failed sweep is
 * tried again later.
 */
@Singleton
public class StreamScrubber {

    /**
     * KEYS[1] a partition. ARGV[1] where to start (an entry id, inclusive), ARGV[2] page size, ARGV[3..] the subjects.
     * Deletes the entries of the page whose document's {@code subject} (decoded, not matched as text) is one of them,
     * except {@code profile_erased}; answers {the last id looked at or '', entries looked at, entries deleted}.
     */
    static final String SCRIPT = """
            local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
            local subjects = {}
            for s = 3, #ARGV do subjects[ARGV[s]] = true end
            local deleted = 0
            local last = ''
            for _, entry in ipairs(entries) do
              last = entry[1]
              local fields = entry[2]
              for i = 1, #fields, 2 do
                if fields[i] == '@FIELD@' then
                  local ok, doc = pcall(cjson.decode, fields[i + 1])
                  if ok and type(doc) == 'table' and doc['type'] ~= '@ERASED@' and subjects[doc['subject']] then
                    redis.call('XDEL', KEYS[1], entry[1])
                    deleted = deleted + 1
                  end
                end
              end
            end
            return {last, #entries, deleted}
            """.replace("@FIELD@", StreamLayout.FIELD).replace("@ERASED@", EventTypes.PROFILE_ERASED);
    private static final int PAGE = 1000;

    private final Pool pool;
    private final ReactiveRedisDataSource redis;
    private final StreamLayout layout;
    private final PartitionGuard partitions;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final Clock clock;
    private final Counter scrubbed;
    private volatile long timer = -1;
    private volatile boolean running;

    public StreamScrubber(Pool pool, ReactiveRedisDataSource redis, StreamLayout layout, PartitionGuard partitions,
            DatabaseBootstrap database, Vertx vertx, Clock clock, MeterRegistry metrics) {
        this.pool = pool;
        this.redis = redis;
        this.layout = layout;
        this.partitions = partitions;
        this.database = database;
        this.vertx = vertx;
        this.clock = clock;
        this.scrubbed = metrics.counter("rapport.profile.stream.scrubbed");
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(5000, id -> wake());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Queues the removal of these profiles' entries, in the caller's (the erasure's) transaction. */
    public Uni<Void> queue(SqlConnection c, List<String> profileIds) {
        return c.preparedQuery("INSERT INTO stream_scrub (profile_ids, requested_at) VALUES ($1, $2)")
                .execute(Tuple.of(texts(profileIds), utc(clock.instant()))).replaceWithVoid();
    }

    /** Asks for a sweep soon. */
    public void wake() {
        if (running || !database.ready()) {
            return;
        }
        running = true;
        sweep().subscribe().with(n -> running = false, f -> {
            running = false;
            Log.warnf("Cannot remove erased people's entries from the event stream now (%s); tried again later",
                    f.toString());
        });
    }

    /** Carries out every queued removal; answers how many entries were deleted. */
    public Uni<Long> sweep() {
        return sweep(0L, 0L);
    }

    /** The removals queued after {@code after}; one that fails is left for the next sweep, and the others go on. */
    private Uni<Long> sweep(long after, long sum) {
        long[] id = { -1 };
        return pool.withTransaction(c -> c.preparedQuery("""
                SELECT id, profile_ids FROM stream_scrub WHERE id > $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED""")
                .execute(Tuple.of(after))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(-1L);
                    }
                    var row = rows.iterator().next();
                    id[0] = row.getLong(0);
                    List<String> ids = List.of(row.getArrayOfStrings(1));
                    return partitions.highest().chain(n -> {
                        List<Uni<Long>> all = new ArrayList<>();
                        for (int p = 0; p < n; p++) {
                            all.add(scrub(layout.stream(p), ids, "-", 0));
                        }
                        return Uni.join().all(all).andFailFast();
                    }).map(counts -> counts.stream().mapToLong(Long::longValue).sum())
                            .call(() -> c.preparedQuery("DELETE FROM stream_scrub WHERE id = $1")
                                    .execute(Tuple.of(id[0])))
                            .invoke(deleted -> {
                                scrubbed.increment(deleted);
                                Log.infof("Removed %d event-stream entries of erased profile %s", deleted, ids.get(0));
                            });
                })).onFailure(f -> id[0] >= 0).recoverWithItem(f -> {
                    Log.warnf("Cannot remove the event-stream entries of erasure request %d now (%s); "
                            + "tried again later", id[0], f.toString());
                    return 0L;
                }).chain(deleted -> id[0] < 0 ? Uni.createFrom().item(sum) : sweep(id[0], sum + deleted));
    }

    private Uni<Long> scrub(String key, List<String> ids, String from, long deleted) {
        List<String> args = new ArrayList<>(List.of(SCRIPT, "1", key, from, String.valueOf(PAGE)));
        args.addAll(ids);
        return redis.execute("EVAL", args.toArray(String[]::new)).chain(r -> {
            String last = r.get(0).toString();
            long seen = r.get(1).toLong();
            long gone = deleted + r.get(2).toLong();
            return seen < PAGE || last.isEmpty() ? Uni.createFrom().item(gone) : scrub(key, ids, "(" + last, gone);
        });
    }
}

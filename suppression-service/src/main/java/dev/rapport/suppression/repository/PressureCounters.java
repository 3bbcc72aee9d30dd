package dev.rapport.suppression.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.redis.Pipelined;
import dev.rapport.suppression.ContactPressure;
import dev.rapport.suppression.config.SuppressionConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The live contact-pressure counters in Redis: one hash per person ({@code rapport:suppression:pressure:{profileId}},
 * a Cluster hash tag per person), a field per scope and local day ({@code all:2026-12-03}, {@code sms:2026-12-03}).
 * A check reads the fields of every cap's window and, on commit, increments today's fields only if no cap is reached,
 * in one Lua script: two deciders can never both take the last place.
 */
@ApplicationScoped
public class PressureCounters {

    /**
     * KEYS[1] the person's hash. ARGV: commit (1/0), ttl seconds, n increments, the n fields to increment, then per
     * cap: limit, n fields, the fields. Answers {reserved (1/0), the count of every cap field in order}.
     */
    static final String SCRIPT = """
            local commit = ARGV[1] == '1'
            local ninc = tonumber(ARGV[3])
            local i = 4 + ninc
            local out = {0}
            local blocked = false
            while i <= #ARGV do
              local limit = tonumber(ARGV[i])
              local n = tonumber(ARGV[i + 1])
              local sum = 0
              if n > 0 then
                local values = redis.call('HMGET', KEYS[1], unpack(ARGV, i + 2, i + 1 + n))
                for j = 1, n do
                  local v = tonumber(values[j]) or 0
                  sum = sum + v
                  out[#out + 1] = v
                end
              end
              if sum >= limit then blocked = true end
              i = i + 2 + n
            end
            if commit and not blocked then
              for j = 1, ninc do redis.call('HINCRBY', KEYS[1], ARGV[3 + j], 1) end
              redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
              out[1] = 1
            end
            return out
            """;

    /** One person's check: reserve a place (commit) or only read. */
    public record Ask(String profileId, ContactPressure.Check check, boolean commit) {
    }

    /** What Redis answered: whether the place was taken, and the counts of every cap field. */
    public record Answer(boolean reserved, List<Long> counts) {
    }

    /** The script's SHA-1, as Redis names it: computed here, so no node has to be asked to load it first. */
    static final String SHA = sha1(SCRIPT);

    private final ReactiveRedisDataSource redis;
    private final SuppressionConfig config;

    public PressureCounters(ReactiveRedisDataSource redis, SuppressionConfig config) {
        this.redis = redis;
        this.config = config;
    }

    /** The Redis key of a person's counters. */
    public String key(String profileId) {
        return config.pressureKeyPrefix() + "{" + profileId + "}";
    }

    /**
     * Checks (and, where asked, reserves) for many people in one round trip, pipelined (each person's hash may be on
     * another node of a cluster); answers in the same order. A node that does not hold the script yet (restarted,
     * flushed, or another node of the cluster) is sent the script itself, which it keeps for the next time.
     */
    public Uni<List<Answer>> check(List<Ask> asks) {
        if (asks.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Uni<List<Response>> sent;
        if (Pipelined.clustered()) {
            sent = Pipelined.each(redis.getRedis(), asks, (connection, ask) -> connection.send(script(Command.EVALSHA,
                    SHA, ask)).onFailure(PressureCounters::noScript).recoverWithUni(f -> connection.send(script(
                            Command.EVAL, SCRIPT, ask))));
        } else {
            // one batch; a server that lost the script fails it whole, and the script itself loads it again
            sent = redis.getRedis().batch(asks.stream().map(a -> script(Command.EVALSHA, SHA, a)).toList())
                    .onFailure(PressureCounters::noScript).recoverWithUni(f -> redis.getRedis()
                            .batch(asks.stream().map(a -> script(Command.EVAL, SCRIPT, a)).toList()));
        }
        return sent.map(responses -> {
                    List<Answer> out = new ArrayList<>(responses.size());
                    for (Response response : responses) {
                        List<Long> counts = new ArrayList<>(response.size() - 1);
                        for (int i = 1; i < response.size(); i++) {
                            counts.add(response.get(i).toLong());
                        }
                        out.add(new Answer(response.get(0).toLong() == 1L, counts));
                    }
                    return out;
                });
    }

    private Request script(Command command, String script, Ask ask) {
        ContactPressure.Check c = ask.check();
        Request r = Request.cmd(command).arg(script).arg(1).arg(key(ask.profileId()))
                .arg(ask.commit() ? "1" : "0").arg(c.ttlSeconds()).arg(c.increments().size());
        c.increments().forEach(r::arg);
        for (ContactPressure.Window w : c.windows()) {
            r.arg(w.cap().limit()).arg(w.fields().size());
            w.fields().forEach(r::arg);
        }
        return r;
    }

    /**
     * Whether Redis does not have the script. The error reads {@code NOSCRIPT …} for one command, but a batch's failure
     * names the failing command first on some Redis versions ({@code ERR [0] NOSCRIPT …} on 7.0).
     */
    static boolean noScript(Throwable failure) {
        return String.valueOf(failure.getMessage()).contains("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Gives back places taken by {@link #check} that were not used after all (the decision could not be kept). */
    public Uni<Void> release(List<Ask> asks) {
        if (asks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Request> batch = new ArrayList<>();
        for (Ask ask : asks) {
            for (String field : ask.check().increments()) {
                batch.add(Request.cmd(Command.HINCRBY).arg(key(ask.profileId())).arg(field).arg(-1));
            }
        }
        return Pipelined.send(redis.getRedis(), batch).replaceWithVoid();
    }

    /** Adds a merged-away person's counts to the survivor's and drops them. */
    public Uni<Void> merge(String merged, String survivor, long ttlSeconds) {
        String from = key(merged);
        String to = key(survivor);
        return redis.hash(Long.class).hgetall(from).chain(counts -> {
            if (counts == null || counts.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<Request> batch = new ArrayList<>();
            counts.forEach((field, n) -> batch.add(Request.cmd(Command.HINCRBY).arg(to).arg(field).arg(n)));
            batch.add(Request.cmd(Command.EXPIRE).arg(to).arg(ttlSeconds));
            batch.add(Request.cmd(Command.DEL).arg(from));
            return Pipelined.send(redis.getRedis(), batch).replaceWithVoid();
        });
    }

    /** Drops the counters of these people. */
    public Uni<Void> drop(List<String> profileIds) {
        if (profileIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Request> batch = new ArrayList<>();
        for (String id : profileIds) {
            batch.add(Request.cmd(Command.DEL).arg(key(id)));
        }
        return Pipelined.send(redis.getRedis(), batch).replaceWithVoid();
    }
}

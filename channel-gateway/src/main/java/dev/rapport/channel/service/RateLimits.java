package dev.rapport.channel.service;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.common.logging.LogSanitizer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

/**
 * The providers' rate limits, shared by every gateway replica: one token bucket per provider in Redis, refilled at the
 * configured rate (units per second; an SMS costs one unit per segment, as Twilio counts them) and holding a second's
 * worth. Taking from it is one script on the Redis server, so replicas never both take the last token, and the time
 * is the server's, so their clocks do not matter. A message the bucket cannot pay for now waits as long as the bucket
 * says, without spending an attempt. Without Redis the limit is not enforced (the provider's own throttling, a 429
 * with its {@code Retry-After}, still is): a courtesy to the provider must not stop every message.
 */
@ApplicationScoped
public class RateLimits {

    /**
     * KEYS[1] the bucket; ARGV rate per second, capacity, cost. Answers 0 when paid, else the milliseconds until the
     * bucket could pay. The bucket is refilled for the time since it was last touched, and forgotten once it would be
     * full again anyway.
     */
    static final String SCRIPT = """
            local rate = tonumber(ARGV[1])
            local capacity = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(s[1]) or capacity
            local at = tonumber(s[2]) or now
            if now > at then tokens = math.min(capacity, tokens + (now - at) * rate / 1000) end
            local wait = 0
            if tokens >= cost then tokens = tokens - cost else wait = math.ceil((cost - tokens) * 1000 / rate) end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
            return wait""";

    private final ReactiveRedisDataSource redis;
    private final Map<String, Integer> limits;
    private final MeterRegistry metrics;

    public RateLimits(ReactiveRedisDataSource redis, ChannelConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.limits = config.rateLimits();
        this.metrics = metrics;
    }

    /** A provider's limit in units per second, 0 when it has none. */
    public int limit(String provider) {
        Integer n = limits.get(provider);
        return n == null || n <= 0 ? 0 : n;
    }

    /**
     * Takes {@code cost} units from the provider's bucket: answers {@link Duration#ZERO} when they were taken, else
     * how long to wait before asking again (nothing taken).
     */
    public Uni<Duration> take(String provider, int cost) {
        int rate = limit(provider);
        if (rate == 0) {
            return Uni.createFrom().item(Duration.ZERO);
        }
        return take(provider, rate, cost);
    }

    /** Takes from the bucket of {@code provider} refilled at {@code rate} units a second. */
    Uni<Duration> take(String provider, int rate, int cost) {
        // a message costing more than a second's worth could never be paid for: the bucket holds at least its cost
        int capacity = Math.max(rate, cost);
        return redis.execute("EVAL", SCRIPT, "1", "rapport:channel:rate:" + provider, Integer.toString(rate),
                Integer.toString(capacity), Integer.toString(Math.max(1, cost)))
                .map(r -> {
                    long wait = r == null ? 0 : r.toLong();
                    if (wait > 0) {
                        metrics.counter("rapport.channel.rate.limited", "provider", provider).increment();
                    }
                    return Duration.ofMillis(wait);
                })
                .onFailure().recoverWithItem(f -> {
                    Log.warnf("The rate limit of %s is not enforced: Redis cannot be reached (%s)", provider,
                            LogSanitizer.sanitize(String.valueOf(f.getMessage())));
                    metrics.counter("rapport.channel.rate.unenforced", "provider", provider).increment();
                    return Duration.ZERO;
                });
    }
}

package dev.rapport.profile.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the profile context. */
@ConfigMapping(prefix = "rapport.profile")
public interface ProfileConfig {

    /** How far in the future an event's {@code occurredAt} may be (clocks drift); later times are rejected. */
    @WithDefault("10m")
    Duration maxFutureSkew();

    /** Most events accepted in one request. */
    @WithDefault("1000")
    int maxBatchSize();

    /** Most anonymous ids, device ids and push tokens kept per profile; the least recently seen go first. */
    @WithDefault("20")
    int maxIdentifiersPerKind();

    /** How often a batch is tried again when it meets a concurrent batch on the same people (deadlock, race). */
    @WithDefault("8")
    int maxAttempts();

    /** Settings of the event stream. */
    Stream stream();

    /** The event stream (Redis Streams). */
    interface Stream {

        /** Number of partitions; a profile's events go to partition hash(profile id) mod this. */
        @WithDefault("16")
        int partitions();

        /** Stream key prefix; partition p is {@code <prefix>{p}} (a Redis Cluster hash tag per partition). */
        @WithDefault("rapport:profile:events:")
        String keyPrefix();

        /** Approximate length each partition stream is trimmed to. */
        @WithDefault("1000000")
        long maxLength();

        /** Most outbox rows published in one round per partition. */
        @WithDefault("500")
        int relayBatchSize();

        /** How often the relay looks for unpublished events when nothing wakes it. */
        @WithDefault("500ms")
        Duration relayInterval();

        /** Longest pause between relay attempts while the stream is unreachable. */
        @WithDefault("10s")
        Duration relayMaxBackoff();
    }
}

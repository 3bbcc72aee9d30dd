package dev.rapport.suppression.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the suppression context. */
@ConfigMapping(prefix = "rapport.suppression")
public interface SuppressionConfig {

    /** How long a replica keeps the contact policy before reading it again (a PUT on this replica applies at once). */
    @WithDefault("5s")
    Duration policyRefresh();

    /** Most requests of a {@code DecideBatch} stream decided together (one read of state, one audit insert). */
    @WithDefault("500")
    int batchChunk();

    /** Longest wait for a chunk of a {@code DecideBatch} stream to fill before it is decided anyway. */
    @WithDefault("5ms")
    Duration batchLinger();

    /** Chunks of one {@code DecideBatch} stream decided at the same time. */
    @WithDefault("4")
    int batchConcurrency();

    /** Chunks of one {@code DecideBatch} stream kept waiting while earlier ones are decided; beyond, the stream fails. */
    @WithDefault("64")
    int batchBufferedChunks();

    /** Redis key prefix of the contact-pressure counters; a person's hash is {@code <prefix>{profileId}}. */
    @WithDefault("rapport:suppression:pressure:")
    String pressureKeyPrefix();

    /** The event stream this service consumes. */
    Stream stream();

    /** The event stream (Redis Streams, as profile-service publishes it). */
    interface Stream {

        /** Whether this replica consumes the stream. */
        @WithDefault("true")
        boolean enabled();

        /** Stream key prefix; partition p is {@code <prefix>{p}}. Must match profile-service's. */
        @WithDefault("rapport:profile:events:")
        String keyPrefix();

        /** Number of partitions. Must match profile-service's. */
        @WithDefault("16")
        int partitions();

        /** The consumer group: one per service, so every replica shares the work. */
        @WithDefault("suppression-service")
        String group();

        /** This replica's consumer name within the group; the host name when not set. */
        Optional<String> consumer();

        /** Most entries read per partition at a time. */
        @WithDefault("500")
        int readCount();

        /** How long a read waits for new entries. */
        @WithDefault("1s")
        Duration block();

        /** How long an entry may stay unacknowledged by a consumer before another replica takes it over. */
        @WithDefault("60s")
        Duration claimIdle();

        /** Longest pause between attempts while the database or Redis is unreachable. */
        @WithDefault("10s")
        Duration maxBackoff();
    }
}

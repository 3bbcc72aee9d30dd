package dev.rapport.suppression.config;

import java.time.Duration;

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

    /**
     * Whether a transactional or service decision for a person this service has not seen yet asks profile-service for
     * their addresses (instead of denying them as unreachable until the event stream catches up).
     */
    @WithDefault("true")
    boolean profileLookup();

    /** Redis key prefix of the contact-pressure counters; a person's hash is {@code <prefix>{profileId}}. */
    @WithDefault("rapport:suppression:pressure:")
    String pressureKeyPrefix();
}

package dev.rapport.common.stream;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The event stream, as every service sees it: one set of settings, shared, so no two services can disagree on it. */
@ConfigMapping(prefix = "rapport.stream")
public interface StreamConfig {

    /**
     * Key prefix: partition p is {@code <prefix>{p}} (a Redis Cluster hash tag per partition), the stream's own
     * description {@code <prefix>meta}, a consumer group's dead letters {@code <prefix>dead-letters:{<group>}}.
     */
    @WithDefault("rapport:profile:events:")
    String keyPrefix();

    /**
     * Partitions profile-service publishes to; a profile's events go to partition hash(profile id) mod this. Consumers
     * read every partition the stream has ever had (its meta says how many), this many before the stream exists.
     */
    @WithDefault("16")
    int partitions();

    /**
     * The bound of a partition: once it holds more entries, every entry all consumer groups have acknowledged is
     * trimmed, and only what some group has not acknowledged yet stays (never trimmed, however many).
     */
    @WithDefault("1000000")
    long maxLength();

    /**
     * Whether this profile-service may publish with a partition count other than the one the stream was made with: a
     * deliberate change (see docs/events.md). Without it a mismatch stops publishing and turns readiness red.
     */
    @WithDefault("false")
    boolean repartition();

    /** How often profile-service trims the partitions. */
    @WithDefault("10s")
    Duration trimInterval();

    /** This service's consumer of the stream, when it has one. */
    Consumer consumer();

    /** The consumer group of a service. */
    interface Consumer {

        /** Whether this replica consumes the stream (a service without a handler of events never does). */
        @WithDefault("true")
        boolean enabled();

        /** The consumer group: one per service, so its replicas share the work; the service's name by default. */
        String group();

        /** This replica's name within the group; the host name and process id when not set. */
        Optional<String> name();

        /** Most entries read per partition at a time. */
        @WithDefault("500")
        int readCount();

        /** How long the consumer waits before reading again when it found nothing new. */
        @WithDefault("100ms")
        Duration pollInterval();

        /** How long an entry may stay unacknowledged by a replica before another takes it over. */
        @WithDefault("60s")
        Duration claimIdle();

        /** Longest pause between attempts while the database or Redis fails. */
        @WithDefault("10s")
        Duration maxBackoff();

        /** Readiness turns red when the consumer has made no progress for this long (stuck). */
        @WithDefault("2m")
        Duration stuckAfter();
    }
}

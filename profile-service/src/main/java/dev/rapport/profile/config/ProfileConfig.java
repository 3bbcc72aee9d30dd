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

    /** Settings of the outbox relay. */
    Stream stream();

    /** The relay from the outbox to the event stream (the stream itself is rapport.stream.*, shared by the suite). */
    interface Stream {

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

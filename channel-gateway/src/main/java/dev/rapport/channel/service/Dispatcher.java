package dev.rapport.channel.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import dev.rapport.channel.Message;
import dev.rapport.channel.client.SuppressionClient;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.provider.Provider;
import dev.rapport.channel.provider.ProviderFailure;
import dev.rapport.channel.repository.MessageStore;
import dev.rapport.channel.repository.MessageStore.Stored;
import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.common.work.Rounds;
import dev.rapport.proto.suppression.v1.Decision;
import dev.rapport.proto.suppression.v1.DecideResponse;
import dev.rapport.proto.suppression.v1.Rule;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Hands stored messages to their providers. Each round claims due messages ({@code FOR UPDATE SKIP LOCKED}, so
 * replicas share them) and moves each to {@code sending} with a lease before the provider is called; then: an expired
 * one ends as {@code expired}; a marketing or service message is decided again with commit (denied: {@code failed}
 * with the rules; deferred: {@code held} until then); the provider takes it ({@code sent}), fails for good
 * ({@code failed} with the provider's reason) or for now (queued again after an exponential pause with jitter, no
 * sooner than the provider's {@code Retry-After}). A hand-off whose lease ran out was interrupted between the provider
 * call and its record: a marketing message then ends as {@code failed} (at most once), any other goes again (at least
 * once), as docs/adr/0012 explains. Every change is stored with its history and the event it becomes.
 */
@Singleton
public final class Dispatcher {

    private final Pool pool;
    private final MessageStore store;
    private final SuppressionClient suppression;
    private final Instance<Provider> providers;
    private final ChannelConfig config;
    private final EventRecorder events;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Rounds rounds;

    public Dispatcher(Pool pool, MessageStore store, SuppressionClient suppression, Instance<Provider> providers,
            ChannelConfig config, EventRecorder events, DatabaseBootstrap database, Vertx vertx, Clock clock,
            MeterRegistry metrics) {
        this.pool = pool;
        this.store = store;
        this.suppression = suppression;
        this.providers = providers;
        this.config = config;
        this.events = events;
        this.clock = clock;
        this.metrics = metrics;
        this.rounds = new Rounds(vertx, "hand messages to their providers", config.dispatchInterval(),
                config.dispatchBatchSize(), database::ready, this::round);
    }

    void onStart(@Observes StartupEvent event) {
        rounds.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        rounds.stop();
    }

    /** Asks for a round soon (a message was accepted). */
    public void wake() {
        rounds.wake();
    }

    /** One round: interrupted hand-offs first, then due messages; answers how many due messages it claimed. */
    public Uni<Integer> round() {
        Instant now = clock.instant();
        return pool.withTransaction(c -> store.interrupted(c, config.dispatchBatchSize(), now)
                .chain(stale -> Multi.createFrom().iterable(stale).onItem().transformToUniAndConcatenate(s -> {
                    Message m = s.message();
                    boolean marketing = m.purpose().equals("marketing");
                    return store.move(c, m.id(), "sending", marketing ? "failed" : "queued", marketing ? null : now,
                            null, null, marketing ? "interrupted" : null, marketing
                                    ? "interrupted during the hand-off: not sent again (marketing goes at most once)"
                                    : "interrupted during the hand-off: handed off again (it goes at least once)",
                            marketing ? "message_failed" : null, now);
                }).collect().asList()))
                .chain(() -> pool.withTransaction(c -> store.claim(c, config.dispatchBatchSize(), now,
                        config.lease())))
                .chain(claimed -> Multi.createFrom().iterable(claimed).onItem()
                        .transformToUni(this::handOff).merge(config.dispatchConcurrency()).collect().asList()
                        .invoke(() -> {
                            if (!claimed.isEmpty()) {
                                events.wake();
                            }
                        }).replaceWith(claimed.size()));
    }

    private Uni<Void> handOff(Stored s) {
        Message m = s.message();
        Instant now = clock.instant();
        if (m.expiresAt() != null && now.isAfter(m.expiresAt())) {
            return move(m, "expired", null, null, null, "expired", "its expiry " + m.expiresAt() + " passed before "
                    + "it could go", "message_failed");
        }
        Uni<DecideResponse> decided = m.decided() ? suppression.decide(MessageService.request(m, true))
                : Uni.createFrom().nullItem();
        return decided.onFailure().recoverWithUni(f -> later(m, "suppression-service cannot decide now: "
                + f.getMessage(), null).replaceWith((DecideResponse) null).chain(x -> Uni.createFrom()
                        .failure(new Handled())))
                .chain(d -> {
                    if (d != null && d.getDecision() == Decision.DECISION_DENY) {
                        return move(m, "failed", null, null, null, "suppressed", "suppressed: " + reasons(d),
                                "message_suppressed");
                    }
                    if (d != null && d.getDecision() == Decision.DECISION_DEFER) {
                        Instant at = Instant.ofEpochSecond(d.getRetryAt().getSeconds(), d.getRetryAt().getNanos());
                        return move(m, "held", at, null, null, null, "held until " + at + ": " + reasons(d),
                                "message_held");
                    }
                    return send(m);
                })
                .onFailure(Handled.class).recoverWithNull()
                .onFailure().invoke(f -> Log.errorf("The hand-off of message %s failed (%s); its lease runs out and "
                        + "it is looked at again", LogSanitizer.sanitize(m.id()), f.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> send(Message m) {
        Provider provider = provider(m);
        if (provider == null) {
            return move(m, "failed", null, null, null, "no_provider", "no provider is configured for " + m.channel(),
                    "message_failed");
        }
        return provider.send(m).chain(id -> {
            metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "sent").increment();
            return move(m, "sent", null, provider.name(), id, null, "sent through " + provider.name(), "message_sent");
        }).onFailure(ProviderFailure.class).recoverWithUni(p -> {
            if (p.permanent()) {
                metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "failed").increment();
                String why = LogSanitizer.sanitize(p.getMessage());
                Instant now = clock.instant();
                return pool.withTransaction(c -> store.move(c, m.id(), "sending", p.unreachable() ? "bounced"
                        : "failed", null, provider.name(), null, why, provider.name() + ": " + why,
                        p.unreachable() ? "message_bounced" : "message_failed", p.unreachable()
                                ? new JsonObject().put("bounce", "hard") : null, now)).replaceWithVoid();
            }
            return later(m, provider.name() + ": " + p.getMessage(), p.retryAfter());
        });
    }

    /** A temporary failure: queued again after a pause, or failed once it had its attempts. */
    private Uni<Void> later(Message m, String why, Duration retryAfter) {
        String error = LogSanitizer.sanitize(why);
        if (m.attempts() >= config.maxAttempts()) {
            return move(m, "failed", null, null, null, error, "gave up after " + m.attempts() + " attempts: " + error,
                    "message_failed");
        }
        metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "retried").increment();
        Duration pause = backoff(m.attempts());
        if (retryAfter != null && retryAfter.compareTo(pause) > 0) {
            pause = retryAfter;
        }
        Instant next = clock.instant().plus(pause);
        return move(m, "queued", next, null, null, error, "attempt " + m.attempts() + " failed, tried again at " + next
                + ": " + error, null);
    }

    /** An exponential pause with jitter: the first back-off doubled per attempt, within ±25 %, up to the most. */
    Duration backoff(int attempts) {
        long first = config.firstBackoff().toMillis();
        long most = config.maxBackoff().toMillis();
        long base = first << Math.min(Math.max(attempts - 1, 0), 20);
        long capped = Math.min(base, most);
        long jitter = (long) (capped * 0.25 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
        return Duration.ofMillis(Math.max(first, Math.min(most, capped + jitter)));
    }

    private Uni<Void> move(Message m, String to, Instant next, String provider, String providerId, String error,
            String detail, String event) {
        Instant now = clock.instant();
        return pool.withTransaction(c -> store.move(c, m.id(), "sending", to, next, provider, providerId, error,
                detail, event, now)).replaceWithVoid();
    }

    /** Whether some provider is configured for a channel. */
    public boolean serves(String channel) {
        for (Provider p : providers) {
            if (p.enabled() && p.channel().equals(channel)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some configured provider takes this message (a messenger provider takes its own kind of address). */
    public boolean takes(Message m) {
        return provider(m) != null;
    }

    private Provider provider(Message m) {
        for (Provider p : providers) {
            if (p.enabled() && p.takes(m)) {
                return p;
            }
        }
        return null;
    }

    /** The rules of a decision in words: {@code open_ticket (zendesk-9 is open), quiet_hours (…)}. */
    static String reasons(DecideResponse d) {
        return String.join(", ", d.getReasonsList().stream().map(r -> rule(r.getRule()) + (r.getDetail().isBlank()
                ? "" : " (" + r.getDetail() + ")")).toList());
    }

    /** A rule's API name ({@code open_ticket}). */
    static String rule(Rule rule) {
        return rule.name().substring("RULE_".length()).toLowerCase();
    }

    /** A failure already recorded on the message. */
    private static final class Handled extends RuntimeException {
        Handled() {
            super(null, null, false, false);
        }
    }
}

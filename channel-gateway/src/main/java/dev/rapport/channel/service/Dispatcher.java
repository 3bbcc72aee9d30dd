package dev.rapport.channel.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

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
import io.micrometer.core.instrument.Tags;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
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
 * ({@code failed} with the provider's reason) or for now (queued again after an exponential pause with jitter; after
 * the provider's {@code Retry-After}, a rate limit or every provider's circuit open, without spending an attempt).
 * One provider is called per hand-off (see {@link #attempt}). A hand-off whose lease ran out, or whose provider did
 * not answer, may have been sent: a marketing message then ends as {@code failed} (at most once), any other goes
 * again (at least once), as docs/adr/0012 explains. Every change is stored with its history and the event it becomes.
 */
@Singleton
public final class Dispatcher {

    private static final TypeLiteral<Uni<String>> SENT = new TypeLiteral<>() {
    };

    private final Pool pool;
    private final MessageStore store;
    private final SuppressionClient suppression;
    private final Instance<Provider> providers;
    private final ChannelConfig config;
    private final EventRecorder events;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Rounds rounds;
    private final RateLimits limits;
    private final Map<String, Breaker> breakers = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    public Dispatcher(Pool pool, MessageStore store, SuppressionClient suppression, Instance<Provider> providers,
            ChannelConfig config, EventRecorder events, DatabaseBootstrap database, Vertx vertx, Clock clock,
            MeterRegistry metrics, RateLimits limits) {
        this.pool = pool;
        this.store = store;
        this.suppression = suppression;
        this.providers = providers;
        this.config = config;
        this.events = events;
        this.clock = clock;
        this.metrics = metrics;
        this.limits = limits;
        for (Provider p : providers) {
            breakers.put(p.name(), new Breaker(p.name(), config.circuitBreaker(), metrics, clock));
        }
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

    /**
     * One round: interrupted hand-offs first, then as many due messages as there are free hand-off slots, each handed
     * off without the round waiting for it; answers how many it claimed.
     */
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
                .chain(() -> {
                    int free = Math.min(config.dispatchBatchSize(), config.dispatchConcurrency() - inFlight.get());
                    return free <= 0 ? Uni.createFrom().item(List.<Stored>of())
                            : pool.withTransaction(c -> store.claim(c, free, now, config.lease()));
                })
                .map(claimed -> {
                    // the hand-offs run on their own: a slow provider holds its own messages, not the next round
                    for (Stored s : claimed) {
                        inFlight.incrementAndGet();
                        handOff(s).subscribe().with(x -> handedOff(), f -> handedOff());
                    }
                    return claimed.size();
                });
    }

    /** A hand-off ended: once half the slots are free again, a round claims more, and the events are recorded. */
    private void handedOff() {
        if (inFlight.decrementAndGet() <= config.dispatchConcurrency() / 2) {
            rounds.wake();
            events.wake();
        }
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
                + f.getMessage()).replaceWith((DecideResponse) null).chain(x -> Uni.createFrom()
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
        List<Provider> candidates = candidates(m);
        if (candidates.isEmpty()) {
            return move(m, "failed", null, null, null, "no_provider", "no provider is configured for " + m.channel(),
                    "message_failed");
        }
        return attempt(m, candidates, 0);
    }

    /**
     * Hands the message to the first of its channel's providers whose circuit is not open: one provider is called
     * per hand-off, so a message goes once, never through two. The next provider takes over only while the one before
     * it is known to be failing (its circuit open), not after a single failure, which might have been a send.
     */
    private Uni<Void> attempt(Message m, List<Provider> candidates, int i) {
        if (i == candidates.size()) {
            Instant next = clock.instant().plus(config.circuitBreaker().delay());
            String why = "every provider of " + m.channel() + " is failing (circuit open)";
            return postpone(m, next, why, why + ": not tried, tried again at " + next);
        }
        Provider provider = candidates.get(i);
        Breaker breaker = breakers.get(provider.name());
        if (breaker.open(clock.instant())) {
            return attempt(m, candidates, i + 1);
        }
        return limits.take(provider.name(), cost(m, provider)).chain(wait -> {
            if (!wait.isZero()) {
                return postpone(m, clock.instant().plus(wait), null, null);
            }
            return breaker.guard.get(() -> provider.send(m), SENT)
                    .chain(id -> {
                        metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "sent")
                                .increment();
                        return move(m, "sent", null, provider.name(), id, null, "sent through " + provider.name(),
                                "message_sent");
                    })
                    .onFailure(CircuitBreakerOpenException.class).recoverWithUni(f -> attempt(m, candidates, i + 1))
                    .onFailure(ProviderFailure.class).recoverWithUni(p -> failed(m, provider, (ProviderFailure) p));
        });
    }

    private Uni<Void> failed(Message m, Provider provider, ProviderFailure p) {
        if (p.permanent()) {
            metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "failed").increment();
            String why = LogSanitizer.sanitize(p.getMessage());
            Instant now = clock.instant();
            return pool.withTransaction(c -> store.move(c, m.id(), "sending", p.unreachable() ? "bounced"
                    : "failed", null, provider.name(), null, why, provider.name() + ": " + why,
                    p.unreachable() ? "message_bounced" : "message_failed", p.unreachable()
                            ? new JsonObject().put("bounce", "hard") : null, now)).replaceWithVoid();
        }
        if (p.unanswered() && m.purpose().equals("marketing")) {
            // as after a crash at this point (docs/adr/0012): the provider may have it, and marketing goes at most once
            metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "failed").increment();
            String why = LogSanitizer.sanitize(p.getMessage());
            return move(m, "failed", null, provider.name(), null, "unanswered", provider.name() + " did not answer ("
                    + why + "): it may have taken it, so it is not sent again (marketing goes at most once)",
                    "message_failed");
        }
        if (p.retryAfter() != null) {
            // the provider said when: its wish is honoured without spending an attempt
            metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "retried").increment();
            Instant next = clock.instant().plus(p.retryAfter().compareTo(config.firstBackoff()) < 0
                    ? config.firstBackoff() : p.retryAfter());
            String why = LogSanitizer.sanitize(provider.name() + ": " + p.getMessage());
            return postpone(m, next, why, provider.name() + " asked to wait until " + next + ": " + why);
        }
        return later(m, provider.name() + ": " + p.getMessage());
    }

    /** Back in line at {@code next}, the attempt not spent; with a detail, in the history. */
    private Uni<Void> postpone(Message m, Instant next, String error, String detail) {
        Instant now = clock.instant();
        return pool.withTransaction(c -> store.postpone(c, m.id(), next, error, detail, now)).replaceWithVoid();
    }

    /** What a message costs of its provider's rate limit: an SMS, its segments; anything else, one. */
    private static int cost(Message m, Provider provider) {
        return provider.channel().equals("sms") ? Math.max(1, m.segments()) : 1;
    }

    /** A temporary failure: queued again after a pause, or failed once it had its attempts. */
    private Uni<Void> later(Message m, String why) {
        String error = LogSanitizer.sanitize(why);
        if (m.attempts() >= config.maxAttempts()) {
            return move(m, "failed", null, null, null, error, "gave up after " + m.attempts() + " attempts: " + error,
                    "message_failed");
        }
        metrics.counter("rapport.channel.messages", "channel", m.channel(), "outcome", "retried").increment();
        Instant next = clock.instant().plus(backoff(m.attempts()));
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
        List<Provider> candidates = candidates(m);
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    /** The configured providers that take the message, in the order they are tried (the chosen email provider first). */
    private List<Provider> candidates(Message m) {
        List<Provider> out = new ArrayList<>(2);
        for (Provider p : providers) {
            if (p.enabled() && p.takes(m)) {
                out.add(p);
            }
        }
        if (out.size() > 1) {
            String first = config.emailProvider().name().toLowerCase(Locale.ROOT);
            out.sort(Comparator.comparingInt(p -> p.name().equals(first) ? 0 : 1));
        }
        return out;
    }

    /**
     * A provider's circuit breaker (SmallRye Fault Tolerance): it opens when most of its recent hand-offs failed for
     * now (not a refusal of one message, not a {@code Retry-After}), and lets one through again after the delay.
     */
    static final class Breaker {

        final Guard guard;
        private volatile long openedAt = -1;
        private final long delayMillis;

        Breaker(String provider, ChannelConfig.CircuitBreaker settings, MeterRegistry metrics, Clock clock) {
            this.delayMillis = settings.delay().toMillis();
            AtomicInteger state = metrics.gauge("rapport.channel.provider.circuit.open", Tags.of("provider",
                    provider), new AtomicInteger());
            this.guard = Guard.create().withDescription("hand-offs to " + provider).withCircuitBreaker()
                    .name("channel-provider-" + provider)
                    .requestVolumeThreshold(settings.requestVolume()).failureRatio(settings.failureRatio())
                    .delay(delayMillis, ChronoUnit.MILLIS).successThreshold(settings.successThreshold())
                    .when(Breaker::failing)
                    .onStateChange(s -> {
                        openedAt = s == CircuitBreakerState.OPEN ? clock.millis() : -1;
                        state.set(s == CircuitBreakerState.OPEN ? 1 : 0);
                        if (s == CircuitBreakerState.OPEN) {
                            Log.warnf("%s keeps failing: its circuit is open, the next provider of its channel (if "
                                    + "any) takes over for %d ms", provider, delayMillis);
                        } else {
                            Log.infof("The circuit of %s is %s", provider, s.name().toLowerCase());
                        }
                    }).done().build();
        }

        /** Whether the circuit is open and its delay not over (then the provider is not even asked). */
        boolean open(Instant now) {
            long at = openedAt;
            return at >= 0 && now.toEpochMilli() < at + delayMillis;
        }

        private static boolean failing(Throwable f) {
            return !(f instanceof ProviderFailure p) || !p.permanent() && p.retryAfter() == null;
        }
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

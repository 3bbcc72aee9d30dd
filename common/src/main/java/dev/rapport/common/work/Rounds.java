package dev.rapport.common.work;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Background work done in rounds: on a timer and whenever something asks ({@link #wake}), never two rounds of the same
 * work at once in this replica (replicas share the work through the database, each round claiming rows with
 * {@code FOR UPDATE SKIP LOCKED}). A round answers how much it handled; a full round, or a wake during one, is followed
 * by another at once, so a backlog drains without waiting for the timer. A failed round is logged and the next timer
 * tries again: what the round works on stays stored.
 */
public final class Rounds {

    private final Vertx vertx;
    private final String what;
    private final Duration interval;
    private final int full;
    private final BooleanSupplier ready;
    private final Supplier<Uni<Integer>> round;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long timer = -1;
    private volatile boolean stopping;

    /**
     * @param what the work in words, for the log ("record message events")
     * @param interval how often a round runs when nobody asks
     * @param full how many items make a full round (the round's batch size)
     * @param ready whether rounds may run now (the database is migrated, say)
     * @param round one round, answering how many items it handled
     */
    public Rounds(Vertx vertx, String what, Duration interval, int full, BooleanSupplier ready,
            Supplier<Uni<Integer>> round) {
        this.vertx = vertx;
        this.what = what;
        this.interval = interval;
        this.full = full;
        this.ready = ready;
        this.round = round;
    }

    /** Starts the timer. */
    public void start() {
        stopping = false;
        timer = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> wake());
    }

    /** Stops the timer; a round under way finishes. */
    public void stop() {
        stopping = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** Asks for a round soon: one starts now unless one is under way, in which case another follows it. */
    public void wake() {
        if (stopping || !ready.getAsBoolean()) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        Uni<Integer> next;
        try {
            next = round.get();
        } catch (RuntimeException e) {
            next = Uni.createFrom().failure(e);
        }
        next.subscribe().with(n -> finish(n == null ? 0 : n, null), f -> finish(0, f));
    }

    private void finish(int handled, Throwable failure) {
        running.set(false);
        if (failure != null && !stopping) {
            Log.warnf("Cannot %s now (%s); the work stays stored and is tried again", what,
                    LogSanitizer.sanitize(String.valueOf(failure.getMessage())));
        }
        if (failure == null && (handled >= full || again.getAndSet(false))) {
            vertx.runOnContext(this::wake);
        }
    }
}

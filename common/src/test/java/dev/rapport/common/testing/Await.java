package dev.rapport.common.testing;

import java.time.Duration;

/** Waits for something asynchronous to come true (the event stream, a relay, a consumer), for tests. */
public final class Await {

    /** A condition that may throw while it is not true yet. */
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Waits up to 30 s for the condition; fails naming what did not happen. */
    public static void until(Condition condition, String what) {
        until(condition, Duration.ofSeconds(30), what);
    }

    /** Waits up to {@code timeout} for the condition, checking every 100 ms; fails naming what did not happen. */
    public static void until(Condition condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        AssertionError failure = new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
        if (last != null) {
            failure.initCause(last);
        }
        throw failure;
    }
}

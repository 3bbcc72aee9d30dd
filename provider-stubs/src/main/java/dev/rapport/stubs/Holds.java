package dev.rapport.stubs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests a stand-in holds before it answers, as a provider that takes its time: while a stand-in is held, each
 * request to it waits (at most {@link #MOST}) until it is let go, and then is handled as usual. A test holds a provider
 * to catch its caller in the middle of a call (and kill it there), then lets the requests through.
 */
public final class Holds {

    /** The longest a request is held, so a forgotten hold never keeps a caller forever. */
    static final Duration MOST = Duration.ofMinutes(2);

    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    /** Holds every request to the stand-in from now on. */
    public void hold(String name) {
        hold(name, true);
    }

    /** Lets the held requests of the stand-in go, and the next ones through. */
    public void release(String name) {
        hold(name, false);
    }

    /** How many requests to the stand-in are being held now. */
    public int held(String name) {
        Hold h = holds.get(name);
        return h == null ? 0 : h.waiting();
    }

    /** Whether the stand-in is held. */
    public boolean holding(String name) {
        Hold h = holds.get(name);
        return h != null && h.on();
    }

    /** Waits while the stand-in is held (the request's thread: a virtual one). */
    void await(String name) throws InterruptedException {
        Hold h = holds.get(name);
        if (h != null) {
            h.await();
        }
    }

    private void hold(String name, boolean on) {
        holds.computeIfAbsent(name, n -> new Hold()).set(on);
    }

    private static final class Hold {

        private boolean on;
        private int waiting;

        synchronized void set(boolean value) {
            on = value;
            notifyAll();
        }

        synchronized boolean on() {
            return on;
        }

        synchronized int waiting() {
            return waiting;
        }

        synchronized void await() throws InterruptedException {
            long deadline = System.nanoTime() + MOST.toNanos();
            waiting++;
            try {
                while (on) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    wait(Math.max(1, left / 1_000_000));
                }
            } finally {
                waiting--;
            }
        }
    }
}

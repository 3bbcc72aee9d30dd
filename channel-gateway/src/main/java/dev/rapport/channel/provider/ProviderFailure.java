package dev.rapport.channel.provider;

import java.time.Duration;

/**
 * A provider did not take a message: {@link #permanent} when trying again cannot help (an address that does not exist,
 * content it refuses), else a temporary failure, tried again later, no sooner than {@link #retryAfter} when the
 * provider said so.
 */
public class ProviderFailure extends RuntimeException {

    private final boolean permanent;
    private final Duration retryAfter;
    private final boolean unreachable;
    private final boolean unanswered;

    private ProviderFailure(String reason, boolean permanent, Duration retryAfter, boolean unreachable,
            boolean unanswered, Throwable cause) {
        super(reason, cause);
        this.permanent = permanent;
        this.retryAfter = retryAfter;
        this.unreachable = unreachable;
        this.unanswered = unanswered;
    }

    private ProviderFailure(String reason, boolean permanent, Duration retryAfter, boolean unreachable,
            Throwable cause) {
        this(reason, permanent, retryAfter, unreachable, false, cause);
    }

    /**
     * The call to the provider failed without an answer. Where the connection was never made (refused, no route, no
     * such host), the provider has not seen the message; where it was (no answer in time, the connection lost after
     * the request), the provider may have taken it, which is what a crash at that point leaves too.
     */
    public static ProviderFailure unanswered(String provider, Throwable f) {
        boolean neverConnected = false;
        for (Throwable t = f; t != null && !neverConnected; t = t.getCause()) {
            neverConnected = t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException
                    || t.getClass().getName().equals("io.netty.channel.ConnectTimeoutException");
        }
        String reason = provider + " cannot be reached: " + f.getMessage();
        return new ProviderFailure(reason, false, null, false, !neverConnected, f);
    }

    /** Trying again cannot help; the reason is the provider's. */
    public static ProviderFailure permanent(String reason) {
        return new ProviderFailure(reason, true, null, false, null);
    }

    /** The address can never be reached (a hard bounce, an unregistered push token, a blocked bot). */
    public static ProviderFailure unreachable(String reason) {
        return new ProviderFailure(reason, true, null, true, null);
    }

    /** Worth trying again, after {@code retryAfter} when the provider named a time (else null). */
    public static ProviderFailure temporary(String reason, Duration retryAfter, Throwable cause) {
        return new ProviderFailure(reason, false, retryAfter, false, cause);
    }

    public boolean permanent() {
        return permanent;
    }

    public boolean unreachable() {
        return unreachable;
    }

    /** Whether the provider may have taken the message though it did not answer (see {@link #unanswered}). */
    public boolean unanswered() {
        return unanswered;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

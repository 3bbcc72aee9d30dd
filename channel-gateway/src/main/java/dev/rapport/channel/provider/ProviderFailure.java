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

    private ProviderFailure(String reason, boolean permanent, Duration retryAfter, boolean unreachable,
            Throwable cause) {
        super(reason, cause);
        this.permanent = permanent;
        this.retryAfter = retryAfter;
        this.unreachable = unreachable;
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

    public Duration retryAfter() {
        return retryAfter;
    }
}

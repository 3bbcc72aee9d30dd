package dev.rapport.common.error;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/** Classifies failures of calls to dependencies. */
public final class Failures {

    private Failures() {
    }

    /** Whether {@code failure} means a dependency (database, Redis, another service) could not be reached in time. */
    public static boolean isUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof TimeoutException
                    || t instanceof io.netty.channel.ConnectTimeoutException
                    || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
                return true;
            }
            String name = t.getClass().getName();
            if (name.equals("io.vertx.sqlclient.ClosedConnectionException")
                    || name.equals("io.vertx.core.VertxException") && String.valueOf(t.getMessage()).contains("Connection")
                    || name.equals("io.vertx.core.impl.NoStackTraceThrowable")
                            && String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("connection")) {
                return true;
            }
        }
        return false;
    }

    /** {@code failure} as a 503 when a dependency could not be reached, unchanged otherwise. */
    public static Throwable unavailableIfUnreachable(Throwable failure, String what) {
        if (failure instanceof RapportException || !isUnreachable(failure)) {
            return failure;
        }
        return new RapportException(ErrorKind.UNAVAILABLE, "dependency_unavailable",
                what + " is not reachable right now; try again later.");
    }
}

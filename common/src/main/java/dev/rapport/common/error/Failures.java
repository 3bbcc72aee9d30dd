package dev.rapport.common.error;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.pgclient.PgException;

/**
 * Classifies failures of calls to dependencies, in one place for every service: whether a dependency could not be
 * reached ({@link #isUnreachable}), and whether the same call may succeed later by itself ({@link #isTemporary}), which
 * is what decides between "try again" and "set aside" wherever work is retried (the event-stream consumer above all).
 */
public final class Failures {

    /**
     * PostgreSQL SQLSTATE classes that are temporary by nature: 08 connection exception, 40 transaction rollback
     * (serialisation failure, deadlock), 53 insufficient resources (too many connections, out of memory, disk full),
     * 57 operator intervention (cancelled, shutting down, starting up), 58 system error (I/O).
     */
    private static final Set<String> TEMPORARY_SQL_CLASSES = Set.of("08", "40", "53", "57", "58");
    /**
     * Single SQLSTATEs that are temporary: 55P03 lock not available, 55006 object in use, 25006 read-only transaction
     * (a standby during fail-over), 72000 snapshot too old.
     */
    private static final Set<String> TEMPORARY_SQL_STATES = Set.of("55P03", "55006", "25006", "72000");
    /**
     * Redis error prefixes that pass by themselves: still loading its data set, a replica during fail-over, a busy
     * script, no master, cluster resharding or down, too few replicas, memory full until eviction frees some.
     */
    private static final Set<String> TEMPORARY_REDIS_ERRORS = Set.of("LOADING", "READONLY", "BUSY", "MASTERDOWN",
            "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "MOVED", "ASK", "OOM", "NOGROUP");
    /** gRPC codes a later call may not meet. */
    private static final Set<Status.Code> TEMPORARY_GRPC = Set.of(Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED);

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
                            && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("connection")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the same call may succeed later without anything being changed: a dependency unreachable or restarting,
     * a database out of connections or shutting down, a deadlock or serialisation failure, Redis loading or failing
     * over, a service answering UNAVAILABLE. Anything else (bad data, a constraint, a bug) is permanent: trying again
     * gives the same answer.
     */
    public static boolean isTemporary(Throwable failure) {
        if (isUnreachable(failure)) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                if (TEMPORARY_SQL_STATES.contains(state)
                        || state.length() == 5 && TEMPORARY_SQL_CLASSES.contains(state.substring(0, 2))) {
                    return true;
                }
            } else if (t instanceof RapportException r && r.kind() == ErrorKind.UNAVAILABLE) {
                return true;
            } else if (t instanceof StatusRuntimeException s && TEMPORARY_GRPC.contains(s.getStatus().getCode())) {
                return true;
            } else if (isRedisError(t, TEMPORARY_REDIS_ERRORS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether Redis answered that a consumer group (or its stream) does not exist: it was lost and must be made again.
     */
    public static boolean isMissingGroup(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (isRedisError(t, Set.of("NOGROUP"))) {
                return true;
            }
        }
        return false;
    }

    /** Redis errors reach the caller as an error reply whose message starts with its code. */
    private static boolean isRedisError(Throwable t, Set<String> codes) {
        String message = t.getMessage();
        if (message == null || !t.getClass().getName().startsWith("io.vertx.redis.")) {
            return false;
        }
        int space = message.indexOf(' ');
        return codes.contains(space < 0 ? message : message.substring(0, space));
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

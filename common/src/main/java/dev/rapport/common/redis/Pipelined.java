package dev.rapport.common.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Sends many Redis commands in one go, pipelined on one connection, in a way that works on a single server and on
 * Redis Cluster alike. On a single server that is the client's {@code batch} (the cheapest: one write, one read). On a
 * cluster the client refuses a batch whose keys lie in different hash slots (CROSSSLOT), though each command on its own
 * is fine: there every command is sent by itself on one cluster connection, which routes each to the node of its key
 * and keeps the order of the commands to one node.
 */
public final class Pipelined {

    private Pipelined() {
    }

    /** The answers of every command, in order; fails, once all have answered, with the first that failed. */
    public static Uni<List<Response>> send(Redis redis, List<Request> requests) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return clustered() ? each(redis, requests, RedisConnection::send) : redis.batch(requests);
    }

    /** Whether this service's Redis is a cluster ({@code quarkus.redis.client-type=cluster}). */
    public static boolean clustered() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.redis.client-type", String.class)
                .map("cluster"::equalsIgnoreCase).orElse(false);
    }

    /**
     * Sends one or more commands for each item, as {@code send} says (a command and its fallback, say), all pipelined
     * on one connection; answers one response per item, in order.
     */
    public static <T> Uni<List<Response>> each(Redis redis, List<T> items,
            BiFunction<RedisConnection, T, Uni<Response>> send) {
        if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return redis.connect().chain(connection -> {
            List<Uni<Response>> sends = new ArrayList<>(items.size());
            try {
                for (T item : items) {
                    sends.add(send.apply(connection, item));
                }
            } catch (RuntimeException e) {
                return connection.close().chain(() -> Uni.createFrom().failure(e));
            }
            // every command answers before the connection goes back to the pool, failures included
            return Uni.join().all(sends).andCollectFailures().onTermination().call(connection::close)
                    .onFailure(CompositeException.class).transform(f -> ((CompositeException) f).getCauses().get(0));
        });
    }
}

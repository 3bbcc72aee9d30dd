package dev.rapport.common.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Sends many Redis commands in one go, pipelined on one connection, in a way that works on a single server and on
 * Redis Cluster alike. The client's {@code batch} refuses commands whose keys lie in different hash slots on a
 * cluster (CROSSSLOT), though each command on its own is fine: here every command is sent by itself on one cluster
 * connection, which routes each to the node of its key and keeps the order of the commands to one node.
 */
public final class Pipelined {

    private Pipelined() {
    }

    /** The answers of every command, in order; fails with the first command that fails. */
    public static Uni<List<Response>> send(Redis redis, List<Request> requests) {
        return each(redis, requests, RedisConnection::send);
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
            for (T item : items) {
                sends.add(send.apply(connection, item));
            }
            return Uni.join().all(sends).andFailFast().onTermination().call(connection::close);
        });
    }
}

package dev.rapport.common.redis;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
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

    /** The answers of every command, in order; fails with the first failure once all have answered. */
    public static Uni<List<Response>> send(Redis redis, List<Request> requests) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        if (requests.size() == 1) {
            return redis.send(requests.get(0)).map(r -> {
                List<Response> one = new ArrayList<>(1);
                one.add(r);
                return one;
            });
        }
        return redis.connect().chain(connection -> {
            List<Uni<Response>> sends = new ArrayList<>(requests.size());
            for (Request r : requests) {
                sends.add(connection.send(r));
            }
            return Uni.join().all(sends).andCollectFailures().onTermination().call(connection::close);
        });
    }
}

package dev.rapport.profile.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.redis.Pipelined;
import dev.rapport.common.stream.StreamLayout;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * The event stream on Redis Streams: partition p is the stream {@link StreamLayout#stream} (a Redis Cluster hash tag
 * per partition), each entry one field {@link StreamLayout#FIELD} holding a CloudEvents JSON document. Nothing is
 * trimmed on publish ({@link StreamTrimmer} trims what every group has acknowledged).
 */
@ApplicationScoped
public class RedisStreamPublisher implements EventPublisher {

    private final ReactiveRedisDataSource redis;
    private final StreamLayout layout;

    public RedisStreamPublisher(ReactiveRedisDataSource redis, StreamLayout layout) {
        this.redis = redis;
        this.layout = layout;
    }

    @Override
    public Uni<Void> publish(Map<Integer, List<String>> messages) {
        // pipelined on one connection: each partition's entries in order, partitions on any node of a cluster
        List<Request> requests = new ArrayList<>();
        messages.forEach((partition, documents) -> {
            String key = layout.stream(partition);
            for (String document : documents) {
                requests.add(Request.cmd(Command.XADD).arg(key).arg("*").arg(StreamLayout.FIELD).arg(document));
            }
        });
        return Pipelined.send(redis.getRedis(), requests).replaceWithVoid();
    }

    @Override
    public String streamName(int partition) {
        return layout.stream(partition);
    }
}

package dev.rapport.profile.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.profile.config.ProfileConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * The event stream on Redis Streams: partition p is the stream {@code rapport:profile:events:{p}} (the braces make p a
 * Redis Cluster hash tag), each entry one field {@code cloudevent} holding a CloudEvents JSON document, the stream
 * trimmed to about {@code rapport.profile.stream.max-length} entries.
 */
@ApplicationScoped
public class RedisStreamPublisher implements EventPublisher {

    /** The field of each stream entry that holds the CloudEvents document. */
    public static final String FIELD = "cloudevent";

    private final ReactiveRedisDataSource redis;
    private final ProfileConfig config;

    public RedisStreamPublisher(ReactiveRedisDataSource redis, ProfileConfig config) {
        this.redis = redis;
        this.config = config;
    }

    @Override
    public Uni<Void> publish(Map<Integer, List<String>> messages) {
        String maxLength = String.valueOf(config.stream().maxLength());
        List<Request> batch = new ArrayList<>();
        messages.forEach((partition, documents) -> {
            String key = streamName(partition);
            for (String document : documents) {
                batch.add(Request.cmd(Command.XADD).arg(key).arg("MAXLEN").arg("~").arg(maxLength).arg("*")
                        .arg(FIELD).arg(document));
            }
        });
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return redis.getRedis().batch(batch).replaceWithVoid();
    }

    @Override
    public String streamName(int partition) {
        return config.stream().keyPrefix() + "{" + partition + "}";
    }
}

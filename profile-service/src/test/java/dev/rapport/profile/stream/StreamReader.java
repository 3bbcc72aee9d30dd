package dev.rapport.profile.stream;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/** Reads the event stream as a consumer would, for tests. */
final class StreamReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamReader() {
    }

    /** The CloudEvents of a partition stream, oldest first (its last 5000 entries). */
    static List<JsonNode> read(RedisDataSource redis, String stream) throws Exception {
        Response entries = redis.execute("XREVRANGE", stream, "+", "-", "COUNT", "5000");
        List<JsonNode> out = new ArrayList<>();
        for (Response entry : entries) {
            Response fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (dev.rapport.common.stream.StreamLayout.FIELD.equals(fields.get(i).toString())) {
                    try {
                        out.add(0, JSON.readTree(fields.get(i + 1).toString()));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        // not ours: consumers skip what is not a CloudEvent
                    }
                }
            }
        }
        return out;
    }

    /** The CloudEvent of an event id on a partition stream, or null. */
    static JsonNode find(RedisDataSource redis, String stream, String eventId) throws Exception {
        for (JsonNode e : read(redis, stream)) {
            if (eventId.equals(e.path("id").asText())) {
                return e;
            }
        }
        return null;
    }
}

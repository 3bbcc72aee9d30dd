package dev.rapport.suppression.stream;

import java.time.Duration;
import java.util.List;

import dev.rapport.suppression.SuppressionFixtures;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

/**
 * Publishes events on the event stream as profile-service does (CloudEvents on partition hash(profile) mod 16) and
 * waits until this service's consumer group has applied and acknowledged them.
 */
public final class EventStreamFixture {

    private final RedisDataSource redis;
    private final EventStreamConsumer consumer;

    public EventStreamFixture(RedisDataSource redis, EventStreamConsumer consumer) {
        this.redis = redis;
        this.consumer = consumer;
    }

    /** Publishes the events, in order, and waits until they are applied. */
    public void publish(SuppressionFixtures.Event... events) {
        publish(List.of(events));
    }

    public void publish(List<SuppressionFixtures.Event> events) {
        String lastKey = null;
        String lastId = null;
        for (SuppressionFixtures.Event e : events) {
            lastKey = consumer.streamName(Math.floorMod(e.profileId().hashCode(), 16));
            lastId = redis.execute("XADD", lastKey, "*", EventStreamConsumer.FIELD, e.json()).toString();
        }
        awaitConsumed(lastKey, lastId);
        // entries of other partitions published before may still be in flight: wait for every partition
        for (int p = 0; p < 16; p++) {
            awaitNothingPending(consumer.streamName(p));
        }
    }

    /** Publishes raw entries (fields and values) on a partition, and waits until they are acknowledged. */
    public void publishRaw(int partition, String... fieldsAndValues) {
        String key = consumer.streamName(partition);
        java.util.List<String> args = new java.util.ArrayList<>(List.of(key, "*"));
        args.addAll(List.of(fieldsAndValues));
        String id = redis.execute("XADD", args.toArray(String[]::new)).toString();
        awaitConsumed(key, id);
    }

    private void awaitConsumed(String key, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Group g = group(key);
            if (g != null && compare(g.lastDelivered(), id) >= 0 && g.pending() == 0) {
                return;
            }
            sleep();
        }
        throw new AssertionError("the consumer did not apply entry " + id + " of " + key + " within 20 s");
    }

    private void awaitNothingPending(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Group g = group(key);
            if (g == null || g.pending() == 0) {
                return;
            }
            sleep();
        }
        throw new AssertionError("entries of " + key + " stay pending");
    }

    private record Group(String lastDelivered, long pending) {
    }

    private Group group(String key) {
        Response groups = redis.execute("XINFO", "GROUPS", key);
        for (Response g : groups) {
            String name = null;
            String last = null;
            long pending = 0;
            if (isMap(g)) {
                name = g.get("name").toString();
                last = g.get("last-delivered-id").toString();
                pending = g.get("pending").toLong();
            } else {
                for (int i = 0; i + 1 < g.size(); i += 2) {
                    switch (g.get(i).toString()) {
                        case "name" -> name = g.get(i + 1).toString();
                        case "last-delivered-id" -> last = g.get(i + 1).toString();
                        case "pending" -> pending = g.get(i + 1).toLong();
                        default -> {
                        }
                    }
                }
            }
            if ("suppression-service".equals(name)) {
                return new Group(last, pending);
            }
        }
        return null;
    }

    private static boolean isMap(Response r) {
        try {
            return r.getKeys() != null && !r.getKeys().isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int compare(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.common.stream;

import jakarta.inject.Singleton;

/**
 * Where things are on the event stream: the key of each partition, of the stream's meta and of a group's dead letters,
 * and which partition a profile's events go to. The one place these are written down.
 */
@Singleton
public class StreamLayout {

    /** The field of a stream entry that holds the CloudEvents document. */
    public static final String FIELD = "cloudevent";
    /** Field of the meta hash: the partition count profile-service publishes with. */
    public static final String META_PARTITIONS = "partitions";
    /** Field of the meta hash: the highest partition count the stream ever had (consumers read that many). */
    public static final String META_HIGHEST = "highest";

    private final StreamConfig config;

    public StreamLayout(StreamConfig config) {
        this.config = config;
    }

    /** The partition of a profile's events among {@code partitions}. */
    public static int partition(String profileId, int partitions) {
        return Math.floorMod(profileId.hashCode(), partitions);
    }

    /** The partition of a profile's events under the configured count. */
    public int partition(String profileId) {
        return partition(profileId, config.partitions());
    }

    /** The stream key of a partition. */
    public String stream(int partition) {
        return config.keyPrefix() + "{" + partition + "}";
    }

    /** The partition a stream key names, or -1 when it names none. */
    public int partitionOf(String streamKey) {
        String prefix = config.keyPrefix() + "{";
        if (!streamKey.startsWith(prefix) || !streamKey.endsWith("}")) {
            return -1;
        }
        try {
            return Integer.parseInt(streamKey.substring(prefix.length(), streamKey.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The hash describing the stream: its partition counts. */
    public String meta() {
        return config.keyPrefix() + "meta";
    }

    /** The stream of a consumer group's dead letters. */
    public String deadLetters(String group) {
        return config.keyPrefix() + "dead-letters:{" + group + "}";
    }

    /** The configured partition count. */
    public int partitions() {
        return config.partitions();
    }

    public StreamConfig config() {
        return config;
    }
}

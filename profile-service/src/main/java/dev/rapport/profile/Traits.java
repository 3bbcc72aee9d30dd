package dev.rapport.profile;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A profile's traits with, for each, the time of the event that set it: a trait takes the value of the latest event
 * that carries it, whatever order events arrive in. A trait sent as JSON null is cleared.
 */
public final class Traits {

    private final ObjectNode values;
    private final ObjectNode times;
    private boolean changed;

    /** @param values current values, @param times epoch milliseconds of the event that set each value */
    public Traits(ObjectNode values, ObjectNode times) {
        this.values = values == null ? JsonNodeFactory.instance.objectNode() : values.deepCopy();
        this.times = times == null ? JsonNodeFactory.instance.objectNode() : times.deepCopy();
    }

    public static Traits empty() {
        return new Traits(null, null);
    }

    /** Applies the traits of an event that happened at {@code at}. */
    public void apply(ObjectNode traits, Instant at) {
        if (traits == null) {
            return;
        }
        long millis = at.toEpochMilli();
        for (Map.Entry<String, JsonNode> field : traits.properties()) {
            set(field.getKey(), field.getValue(), millis);
        }
    }

    /** Takes each trait of {@code other} that is newer than this one's (a merge). */
    public void absorb(Traits other) {
        for (Map.Entry<String, JsonNode> time : other.times.properties()) {
            JsonNode value = other.values.get(time.getKey());
            set(time.getKey(), value == null ? JsonNodeFactory.instance.nullNode() : value, time.getValue().asLong());
        }
    }

    private void set(String key, JsonNode value, long millis) {
        JsonNode known = times.get(key);
        if (known != null && known.asLong() > millis) {
            return;
        }
        if (value == null || value.isNull()) {
            changed |= values.remove(key) != null;
        } else if (!value.equals(values.get(key))) {
            values.set(key, value);
            changed = true;
        }
        if (known == null || known.asLong() != millis) {
            times.put(key, millis);
            changed = true;
        }
    }

    public ObjectNode values() {
        return values;
    }

    public ObjectNode times() {
        return times;
    }

    /** Whether anything changed since construction. */
    public boolean changed() {
        return changed;
    }
}

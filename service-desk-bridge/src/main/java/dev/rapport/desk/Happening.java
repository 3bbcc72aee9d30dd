package dev.rapport.desk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.StoredEvent;

/**
 * One event of a person's timeline as the agent's context reads it: its type, channel (API name), time and properties
 * as plain values (texts, numbers as text, lists of texts).
 */
public record Happening(String id, String type, String channel, Instant at, Map<String, Object> properties) {

    /** From profile-service's stored event. */
    public static Happening of(StoredEvent stored) {
        var e = stored.getEvent();
        Instant at = Instant.ofEpochSecond(e.getOccurredAt().getSeconds(), e.getOccurredAt().getNanos());
        return new Happening(e.getId(), e.getType(), channel(e.getChannel()), at, plain(e.getProperties()));
    }

    /** A channel's API name ({@code call_center}), or null when unset. */
    public static String channel(Channel c) {
        if (c == Channel.CHANNEL_UNSPECIFIED || c == Channel.UNRECOGNIZED) {
            return null;
        }
        return c.name().substring("CHANNEL_".length()).toLowerCase(Locale.ROOT);
    }

    /** A text property (a number as text), or null. */
    public String text(String name) {
        Object v = properties.get(name);
        return v instanceof String s && !s.isBlank() ? s : null;
    }

    /** A list property's texts (a single text as a list of one), empty when absent. */
    public List<String> texts(String name) {
        Object v = properties.get(name);
        if (v instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return v instanceof String s ? List.of(s) : List.of();
    }

    private static Map<String, Object> plain(Struct struct) {
        Map<String, Object> out = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((k, v) -> {
            Object p = plain(v);
            if (p != null) {
                out.put(k, p);
            }
        });
        return out;
    }

    private static Object plain(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case NUMBER_VALUE -> v.getNumberValue() == Math.rint(v.getNumberValue())
                    && Math.abs(v.getNumberValue()) < 1e15 ? String.valueOf((long) v.getNumberValue())
                            : String.valueOf(v.getNumberValue());
            case BOOL_VALUE -> String.valueOf(v.getBoolValue());
            case LIST_VALUE -> {
                List<Object> list = new ArrayList<>();
                v.getListValue().getValuesList().forEach(x -> {
                    Object p = plain(x);
                    if (p != null) {
                        list.add(p);
                    }
                });
                yield list;
            }
            case STRUCT_VALUE -> plain(v.getStructValue());
            default -> null;
        };
    }
}

package dev.rapport.common.stream;

import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.redis.client.Response;

/** The consumer groups of a stream as {@code XINFO GROUPS} describes them, on RESP2 and RESP3 alike. */
public final class StreamGroups {

    /**
     * One consumer group of a stream.
     *
     * @param name the group
     * @param pending entries delivered to a consumer and not acknowledged
     * @param lastDelivered the id of the last entry delivered to the group
     * @param lag entries not yet delivered to the group, or -1 when Redis cannot say (before 7.0, or after a deletion)
     */
    public record Group(String name, long pending, String lastDelivered, long lag) {
    }

    private StreamGroups() {
    }

    /** The groups of an {@code XINFO GROUPS} answer. */
    public static List<Group> of(Response groups) {
        List<Group> out = new ArrayList<>();
        if (groups == null) {
            return out;
        }
        for (Response g : groups) {
            String name = null;
            String last = "0-0";
            long pending = 0;
            long lag = -1;
            if (isMap(g)) {
                name = string(g.get("name"));
                last = g.get("last-delivered-id") == null ? last : string(g.get("last-delivered-id"));
                pending = g.get("pending") == null ? 0 : g.get("pending").toLong();
                lag = g.get("lag") == null ? -1 : g.get("lag").toLong();
            } else {
                for (int i = 0; i + 1 < g.size(); i += 2) {
                    Response v = g.get(i + 1);
                    switch (g.get(i).toString()) {
                        case "name" -> name = string(v);
                        case "last-delivered-id" -> last = string(v);
                        case "pending" -> pending = v == null ? 0 : v.toLong();
                        case "lag" -> lag = v == null ? -1 : v.toLong();
                        default -> {
                        }
                    }
                }
            }
            if (name != null) {
                out.add(new Group(name, pending, last, lag));
            }
        }
        return out;
    }

    /** The group of this name in an {@code XINFO GROUPS} answer, or null. */
    public static Group find(Response groups, String name) {
        for (Group g : of(groups)) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        return null;
    }

    /** Orders stream entry ids ({@code <ms>-<seq>}). */
    public static int compareIds(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        long ma = Long.parseLong(da < 0 ? a : a.substring(0, da));
        long mb = Long.parseLong(db < 0 ? b : b.substring(0, db));
        if (ma != mb) {
            return Long.compare(ma, mb);
        }
        return Long.compare(da < 0 ? 0 : Long.parseLong(a.substring(da + 1)),
                db < 0 ? 0 : Long.parseLong(b.substring(db + 1)));
    }

    private static String string(Response r) {
        return r == null ? null : r.toString();
    }

    private static boolean isMap(Response r) {
        try {
            return r.getKeys() != null && !r.getKeys().isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }
}

package dev.rapport.suppression;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import dev.rapport.common.vocabulary.Channel;

/**
 * Contact pressure: marketing messages counted per person and per day of the person's calendar, for every channel
 * together ({@code all}) and per channel. A cap of N over D days holds while the counts of today and the D-1 days
 * before it add up to less than N. The counters live in Redis (one hash per person, a field per scope and day); this
 * class says which fields a decision reads and increments, and turns the counts into reasons.
 */
public final class ContactPressure {

    private ContactPressure() {
    }

    /**
     * One cap's window: the counter fields of its days, oldest first, today last.
     */
    public record Window(Policy.Cap cap, List<String> fields) {

        public Window {
            fields = List.copyOf(fields);
        }
    }

    /**
     * What a decision reads and, on commit, increments.
     *
     * @param windows the caps that apply to the channel, with their fields
     * @param increments the fields a committed contact adds one to (today, for every channel and for its own)
     * @param ttlSeconds how long the counters must live: the longest window and a day
     * @param today the person's calendar day now
     * @param zone the person's time zone
     */
    public record Check(List<Window> windows, List<String> increments, long ttlSeconds, LocalDate today, ZoneId zone) {

        public Check {
            windows = List.copyOf(windows);
            increments = List.copyOf(increments);
        }

        /** How many counts {@link #reasons} needs: one per field of every window. */
        public int fieldCount() {
            return windows.stream().mapToInt(w -> w.fields().size()).sum();
        }
    }

    /** The counter field of a scope ({@code all} or a channel) on a day. */
    public static String field(String scope, LocalDate day) {
        return scope + ":" + day;
    }

    /** The check of a marketing contact on {@code channel} at {@code now} for a person in {@code zone}. */
    public static Check check(Channel channel, Policy policy, ZoneId zone, Instant now) {
        return check(channel, policy, zone, now, false);
    }

    /** A read of every cap of the policy, whatever its channel: what is reached for the person now. */
    public static Check checkAll(Policy policy, ZoneId zone, Instant now) {
        return check(null, policy, zone, now, true);
    }

    private static Check check(Channel channel, Policy policy, ZoneId zone, Instant now, boolean every) {
        LocalDate today = now.atZone(zone).toLocalDate();
        List<Window> windows = new ArrayList<>();
        for (Policy.Cap cap : policy.caps()) {
            if (!every && cap.channel() != null && cap.channel() != channel) {
                continue;
            }
            List<String> fields = new ArrayList<>(cap.days());
            for (int d = cap.days() - 1; d >= 0; d--) {
                fields.add(field(cap.scope(), today.minusDays(d)));
            }
            windows.add(new Window(cap, fields));
        }
        long ttl = (policy.longestCapDays() + 1L) * 86_400L;
        List<String> increments = channel == null ? List.of() : List.of(field("all", today), field(channel.apiName(), today));
        return new Check(windows, increments, ttl, today, zone);
    }

    /**
     * The frequency-cap reasons for the counts read, each with the start of the local day its cap frees a place.
     *
     * @param counts the counts of every window's fields, in {@link Check#windows()} order, oldest first
     */
    public static List<Reason> reasons(Check check, List<Long> counts) {
        List<Reason> out = new ArrayList<>();
        int at = 0;
        for (Window w : check.windows()) {
            int days = w.fields().size();
            List<Long> window = counts.subList(at, at + days);
            at += days;
            long sum = window.stream().mapToLong(Long::longValue).sum();
            Policy.Cap cap = w.cap();
            if (sum < cap.limit()) {
                continue;
            }
            Instant until = null;
            if (cap.limit() > 0) {
                // shift the window k days on: its k oldest days drop out, and the days that come in are empty
                for (int k = 1; k <= days; k++) {
                    long left = window.subList(k, days).stream().mapToLong(Long::longValue).sum();
                    if (left < cap.limit()) {
                        until = check.today().plusDays(k).atStartOfDay(check.zone()).toInstant();
                        break;
                    }
                }
            }
            String scope = cap.channel() == null ? "marketing message" + (cap.limit() == 1 ? "" : "s")
                    : cap.channel().apiName() + " marketing message" + (cap.limit() == 1 ? "" : "s");
            out.add(new Reason(Rule.FREQUENCY_CAP, "Cap of " + cap.limit() + " " + scope + " per " + cap.days()
                    + " day" + (cap.days() == 1 ? "" : "s") + " reached (" + sum + " in the window).", null, until));
        }
        return out;
    }
}

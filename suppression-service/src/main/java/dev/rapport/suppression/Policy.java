package dev.rapport.suppression;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.vocabulary.Channel;

/**
 * The contact policy: contact-pressure caps, quiet hours, how long a purchase and a declined offer keep a product from
 * being promoted, the grace period after the last ticket is resolved, the time zone of people whose own is unknown, and
 * whether marketing needs an explicit opt-in.
 *
 * @param caps contact-pressure caps on marketing
 * @param quietHours the night, per the person's time zone
 * @param purchasedPeriod how long an ordered product is not promoted to the person
 * @param declinedPeriod how long a declined product or category is not promoted to the person
 * @param ticketGracePeriod how long marketing stays paused after the last open ticket is resolved
 * @param defaultTimezone time zone of people whose own is unknown
 * @param consentRequired whether marketing on an addressable channel needs an opt-in
 */
public record Policy(List<Cap> caps, QuietHours quietHours, Duration purchasedPeriod, Duration declinedPeriod,
        Duration ticketGracePeriod, ZoneId defaultTimezone, boolean consentRequired) {

    /** Most caps a policy holds. */
    public static final int MAX_CAPS = 20;
    /** Longest cap window, in days. */
    public static final int MAX_CAP_DAYS = 366;
    /** Highest cap. */
    public static final int MAX_CAP_LIMIT = 1000;
    /** Longest purchased or declined period. */
    public static final Duration MAX_PERIOD = Duration.ofDays(3650);
    /** Longest ticket grace period. */
    public static final Duration MAX_GRACE = Duration.ofDays(30);

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    public Policy {
        caps = List.copyOf(caps);
        Objects.requireNonNull(quietHours, "quietHours");
    }

    /**
     * A cap: at most {@code limit} marketing messages over the last {@code days} days (the person's calendar days, today
     * included).
     *
     * @param channel the channel counted, or null for every channel together
     */
    public record Cap(Channel channel, int limit, int days) {

        /** The counter a cap reads: a channel's API name, or {@code all}. */
        public String scope() {
            return channel == null ? "all" : channel.apiName();
        }
    }

    /**
     * The night: from {@code start} to {@code end} local time (across midnight when start is later than end), on the
     * given channels. No channel means no quiet hours.
     */
    public record QuietHours(LocalTime start, LocalTime end, Set<Channel> channels) {

        public QuietHours {
            channels = channels.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(channels));
        }

        /** When a contact at {@code now} may go in zone {@code zone}: null when it is not night, else the night's end. */
        public Instant deferUntil(Channel channel, Instant now, ZoneId zone) {
            if (!channels.contains(channel)) {
                return null;
            }
            ZonedDateTime local = now.atZone(zone);
            LocalTime t = local.toLocalTime();
            LocalDate day = local.toLocalDate();
            boolean overnight = start.isAfter(end);
            boolean night = overnight ? !t.isBefore(start) || t.isBefore(end) : !t.isBefore(start) && t.isBefore(end);
            if (!night) {
                return null;
            }
            LocalDate endDay = overnight && !t.isBefore(start) ? day.plusDays(1) : day;
            return ZonedDateTime.of(endDay, end, zone).toInstant();
        }
    }

    /** The defaults: 1 marketing message a day, 3 a week, 2 SMS a week; nights 21:00–09:00 for SMS, push, messengers
     * and calls; bought and declined products rest 30 days; marketing resumes 24 hours after the last ticket is
     * resolved; Moscow time; marketing needs an opt-in. */
    public static Policy defaults() {
        return new Policy(List.of(new Cap(null, 1, 1), new Cap(null, 3, 7), new Cap(Channel.SMS, 2, 7)),
                new QuietHours(LocalTime.of(21, 0), LocalTime.of(9, 0),
                        EnumSet.of(Channel.SMS, Channel.PUSH, Channel.MESSENGER, Channel.CALL_CENTER)),
                Duration.ofDays(30), Duration.ofDays(30), Duration.ofHours(24), ZoneId.of("Europe/Moscow"), true);
    }

    /** The longest cap window in days (at least 1). */
    public int longestCapDays() {
        return caps.stream().mapToInt(Cap::days).max().orElse(1);
    }

    // ------------------------------------------------------------------------------------------------- drafts ---

    /** A policy as written by a person or read from storage, before checks; every field is required. */
    public record Draft(List<CapDraft> caps, QuietHoursDraft quietHours, String purchasedPeriod, String declinedPeriod,
            String ticketGracePeriod, String defaultTimezone, Boolean consentRequired) {
    }

    /** A cap as written; {@code channel} null for every channel. */
    public record CapDraft(String channel, Integer limit, Integer days) {
    }

    /** Quiet hours as written: {@code HH:mm} times and channel API names. */
    public record QuietHoursDraft(String start, String end, List<String> channels) {
    }

    /** The policy as a draft, to show or store. */
    public Draft toDraft() {
        return new Draft(caps.stream().map(c -> new CapDraft(c.channel() == null ? null : c.channel().apiName(),
                c.limit(), c.days())).toList(),
                new QuietHoursDraft(HH_MM.format(quietHours.start()), HH_MM.format(quietHours.end()),
                        quietHours.channels().stream().sorted().map(Channel::apiName).toList()),
                iso(purchasedPeriod), iso(declinedPeriod), iso(ticketGracePeriod),
                defaultTimezone.getId(), consentRequired);
    }

    /** A duration as written in ISO-8601, in whole days when it is (P30D rather than PT720H). */
    public static String iso(Duration d) {
        return !d.isZero() && d.toSeconds() % 86_400 == 0 && d.toNanosPart() == 0 ? "P" + d.toDays() + "D" : d.toString();
    }

    /** Checks a draft; a {@link RapportException} names every field at fault. */
    public static Policy check(Draft d) {
        List<FieldError> errors = new ArrayList<>();
        if (d == null) {
            throw RapportException.invalidField("body", "is required: a policy document");
        }
        List<Cap> caps = caps(d.caps(), errors);
        QuietHours quiet = quietHours(d.quietHours(), errors);
        Duration purchased = period(d.purchasedPeriod(), "purchasedPeriod", MAX_PERIOD, errors);
        Duration declined = period(d.declinedPeriod(), "declinedPeriod", MAX_PERIOD, errors);
        Duration grace = period(d.ticketGracePeriod(), "ticketGracePeriod", MAX_GRACE, errors);
        ZoneId zone = null;
        if (d.defaultTimezone() == null || d.defaultTimezone().isBlank()) {
            errors.add(new FieldError("defaultTimezone", "is required: an IANA time zone such as Europe/Moscow"));
        } else {
            try {
                zone = ZoneId.of(d.defaultTimezone().strip());
            } catch (DateTimeException e) {
                errors.add(new FieldError("defaultTimezone", "is not an IANA time zone such as Europe/Moscow"));
            }
        }
        if (d.consentRequired() == null) {
            errors.add(new FieldError("consentRequired", "is required: true or false"));
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields of the policy are invalid; it was not changed", errors);
        }
        return new Policy(caps, quiet, purchased, declined, grace, zone, d.consentRequired());
    }

    private static List<Cap> caps(List<CapDraft> drafts, List<FieldError> errors) {
        if (drafts == null) {
            errors.add(new FieldError("caps", "is required: a list of {channel, limit, days} (empty for no cap)"));
            return List.of();
        }
        if (drafts.size() > MAX_CAPS) {
            errors.add(new FieldError("caps", "holds " + drafts.size() + " caps; at most " + MAX_CAPS));
            return List.of();
        }
        List<Cap> caps = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            String field = "caps[" + i + "]";
            CapDraft c = drafts.get(i);
            if (c == null) {
                errors.add(new FieldError(field, "must be an object {channel, limit, days}"));
                continue;
            }
            Channel channel = null;
            boolean ok = true;
            if (c.channel() != null && !c.channel().isBlank() && !c.channel().equals("all")) {
                channel = Channel.fromApiName(c.channel()).orElse(null);
                if (channel == null) {
                    errors.add(new FieldError(field + ".channel",
                            "is not a channel; use one of " + Channel.apiNames() + ", or null for every channel"));
                    ok = false;
                }
            }
            if (c.limit() == null || c.limit() < 0 || c.limit() > MAX_CAP_LIMIT) {
                errors.add(new FieldError(field + ".limit", "must be a whole number from 0 to " + MAX_CAP_LIMIT));
                ok = false;
            }
            if (c.days() == null || c.days() < 1 || c.days() > MAX_CAP_DAYS) {
                errors.add(new FieldError(field + ".days", "must be a whole number of days from 1 to " + MAX_CAP_DAYS));
                ok = false;
            }
            if (!ok) {
                continue;
            }
            Cap cap = new Cap(channel, c.limit(), c.days());
            Integer twin = seen.putIfAbsent(cap.scope() + "/" + cap.days(), i);
            if (twin != null) {
                errors.add(new FieldError(field, "repeats caps[" + twin + "]: one cap per channel and window"));
                continue;
            }
            caps.add(cap);
        }
        // a shorter window may not allow more than a longer one on the same channel: it could never be reached
        List<Cap> sorted = new ArrayList<>(caps);
        sorted.sort(Comparator.comparing(Cap::scope).thenComparingInt(Cap::days));
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                Cap shorter = sorted.get(i);
                Cap longer = sorted.get(j);
                if (shorter.scope().equals(longer.scope()) && shorter.limit() > longer.limit()) {
                    errors.add(new FieldError("caps[" + caps.indexOf(shorter) + "]", "contradicts caps["
                            + caps.indexOf(longer) + "]: " + shorter.limit() + " over " + shorter.days() + " day(s) is "
                            + "more than the " + longer.limit() + " allowed over " + longer.days() + " days"));
                }
            }
        }
        return caps;
    }

    private static QuietHours quietHours(QuietHoursDraft q, List<FieldError> errors) {
        if (q == null) {
            errors.add(new FieldError("quietHours",
                    "is required: {start, end, channels} (channels empty for no quiet hours)"));
            return null;
        }
        LocalTime start = time(q.start(), "quietHours.start", errors);
        LocalTime end = time(q.end(), "quietHours.end", errors);
        if (start != null && start.equals(end)) {
            errors.add(new FieldError("quietHours.end", "equals start: a night must have a length"));
        }
        EnumSet<Channel> channels = EnumSet.noneOf(Channel.class);
        if (q.channels() == null) {
            errors.add(new FieldError("quietHours.channels", "is required (empty for no quiet hours)"));
        } else {
            for (int i = 0; i < q.channels().size(); i++) {
                String name = q.channels().get(i);
                Channel channel = name == null ? null : Channel.fromApiName(name).orElse(null);
                if (channel == null) {
                    errors.add(new FieldError("quietHours.channels[" + i + "]",
                            "is not a channel; use one of " + Channel.apiNames()));
                } else {
                    channels.add(channel);
                }
            }
        }
        return start == null || end == null ? null : new QuietHours(start, end, channels);
    }

    private static LocalTime time(String value, String field, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required: a local time HH:mm"));
            return null;
        }
        try {
            return LocalTime.parse(value.strip(), HH_MM);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "is not a local time HH:mm such as 21:00"));
            return null;
        }
    }

    private static Duration period(String value, String field, Duration max, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required: an ISO-8601 duration such as P30D or PT24H"));
            return null;
        }
        try {
            Duration d = Duration.parse(value.strip());
            if (d.isNegative()) {
                errors.add(new FieldError(field, "must not be negative"));
            } else if (d.compareTo(max) > 0) {
                errors.add(new FieldError(field, "must be at most " + max.toDays() + " days"));
            }
            return d;
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "is not an ISO-8601 duration such as P30D or PT24H"));
            return null;
        }
    }
}

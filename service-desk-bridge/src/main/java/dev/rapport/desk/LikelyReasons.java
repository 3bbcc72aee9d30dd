package dev.rapport.desk;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.rapport.common.stream.EventTypes;

/**
 * Why a customer is probably calling, from what they did recently: an open ticket, an order that just moved or is
 * still pending, a message they wrote, an email they clicked, pages they keep looking at. Each reason names its
 * evidence (what happened, when, on which channels); they are ranked (open tickets first, then orders, messages,
 * clicks, repeated interest) and at most three are given. Nothing is guessed beyond the events.
 */
public final class LikelyReasons {

    /** A likely reason, ranked by {@code weight}. */
    public record Reason(String reason, List<String> evidence, int weight) {
    }

    /** How far back events count. */
    static final Duration WINDOW = Duration.ofDays(14);

    private LikelyReasons() {
    }

    /**
     * The reasons, best first, at most three.
     *
     * @param recent the person's latest events, newest first
     * @param openTickets the person's open tickets, newest first
     * @param zone the person's time zone, for "yesterday" and "since Monday"
     */
    public static List<Reason> of(List<Happening> recent, List<Ticket> openTickets, Instant now, ZoneId zone) {
        List<Reason> out = new ArrayList<>();
        for (Ticket t : openTickets) {
            String about = t.subject() == null ? "" : " about «" + t.subject() + "»";
            out.add(new Reason("open ticket " + t.id() + about, List.of("ticket opened " + when(t.openedAt(), now,
                    zone) + " (service_desk)"), 100 - (int) Math.min(50, days(t.openedAt(), now))));
        }
        List<Happening> window = recent.stream().filter(h -> h.at().isAfter(now.minus(WINDOW))).toList();
        orders(window, now, zone, out);
        messages(window, now, zone, out);
        clicks(window, now, zone, out);
        interests(window, now, zone, out);
        return out.stream().sorted(Comparator.comparingInt(Reason::weight).reversed()).limit(3).toList();
    }

    /** The latest status of each recent order: moved (shipped, confirmed, cancelled) or still pending. */
    private static void orders(List<Happening> window, Instant now, ZoneId zone, List<Reason> out) {
        Set<String> seen = new HashSet<>();
        for (Happening h : window) {
            String order = h.text("orderId");
            if (order == null || !seen.add(order)) {
                continue;
            }
            if (h.type().equals(EventTypes.ORDER_STATUS_CHANGED) && h.text("status") != null
                    && !h.text("status").equals("completed")) {
                out.add(new Reason("order " + order + " " + h.text("status") + " " + when(h.at(), now, zone),
                        List.of(EventTypes.ORDER_STATUS_CHANGED + " " + h.text("status") + " " + when(h.at(), now,
                                zone) + channelOf(h)), 80 - (int) Math.min(30, days(h.at(), now) * 5)));
            } else if (h.type().equals(EventTypes.ORDER_PLACED)) {
                out.add(new Reason("order " + order + " placed " + when(h.at(), now, zone) + " is still pending",
                        List.of(EventTypes.ORDER_PLACED + " " + when(h.at(), now, zone) + channelOf(h)
                                + products(h)), 60 - (int) Math.min(30, days(h.at(), now) * 5)));
            }
        }
    }

    /** The latest message the person wrote in the last three days. */
    private static void messages(List<Happening> window, Instant now, ZoneId zone, List<Reason> out) {
        window.stream().filter(h -> h.type().equals(EventTypes.INBOUND_MESSAGE) && h.text("text") != null
                && h.at().isAfter(now.minus(Duration.ofDays(3)))).findFirst().ifPresent(h -> {
                    String text = h.text("text").strip().replaceAll("\\s+", " ");
                    out.add(new Reason("wrote " + when(h.at(), now, zone) + channelOf(h).replace(" (", " on ")
                            .replace(")", "") + ": «" + (text.length() > 80 ? text.substring(0, 80) + "…" : text)
                            + "»", List.of(EventTypes.INBOUND_MESSAGE + " " + when(h.at(), now, zone) + channelOf(h)),
                            70));
                });
    }

    /** A marketing message clicked in the last three days. */
    private static void clicks(List<Happening> window, Instant now, ZoneId zone, List<Reason> out) {
        window.stream().filter(h -> h.type().equals(EventTypes.MESSAGE_CLICKED)
                && h.at().isAfter(now.minus(Duration.ofDays(3)))).findFirst().ifPresent(h -> {
                    String what = h.text("campaignId") != null ? "campaign " + h.text("campaignId") : "a message";
                    out.add(new Reason("clicked " + what + " " + when(h.at(), now, zone) + channelOf(h).replace(" (",
                            " in ").replace(")", ""), List.of(EventTypes.MESSAGE_CLICKED + " " + when(h.at(), now,
                                    zone) + channelOf(h)), 50));
                });
    }

    /** Pages or products of one kind viewed at least twice in the last seven days. */
    private static void interests(List<Happening> window, Instant now, ZoneId zone, List<Reason> out) {
        Map<String, List<Happening>> byTopic = new LinkedHashMap<>();
        for (Happening h : window) {
            if (!(h.type().equals(EventTypes.PAGE_VIEWED) || h.type().equals(EventTypes.PRODUCT_VIEWED))
                    || !h.at().isAfter(now.minus(Duration.ofDays(7)))) {
                continue;
            }
            String topic = h.text("category") != null ? h.text("category") + " pages"
                    : h.text("productId") != null ? "product " + h.text("productId") : null;
            if (topic != null) {
                byTopic.computeIfAbsent(topic, k -> new ArrayList<>()).add(h);
            }
        }
        byTopic.forEach((topic, views) -> {
            if (views.size() < 2) {
                return;
            }
            Set<String> channels = new LinkedHashSet<>();
            views.forEach(v -> channels.add(v.channel() == null ? "unknown" : v.channel()));
            Instant first = views.get(views.size() - 1).at();
            String reason = "viewed " + topic + " " + views.size() + " times " + since(first, now, zone) + " ("
                    + String.join(", ", channels) + ")";
            out.add(new Reason(reason, views.stream().limit(5).map(v -> v.type() + " " + when(v.at(), now, zone)
                    + channelOf(v)).toList(), 30 + Math.min(15, views.size())));
        });
    }

    private static String products(Happening h) {
        List<String> products = h.texts("productIds");
        return products.isEmpty() ? "" : ", products " + String.join(", ", products);
    }

    private static String channelOf(Happening h) {
        return h.channel() == null ? "" : " (" + h.channel() + ")";
    }

    private static long days(Instant at, Instant now) {
        return Math.max(0, ChronoUnit.DAYS.between(at, now));
    }

    /** "today", "yesterday", "on Monday" (this week), "5 days ago". */
    static String when(Instant at, Instant now, ZoneId zone) {
        LocalDate day = at.atZone(zone).toLocalDate();
        LocalDate today = now.atZone(zone).toLocalDate();
        long ago = ChronoUnit.DAYS.between(day, today);
        if (ago <= 0) {
            return "today";
        }
        if (ago == 1) {
            return "yesterday";
        }
        if (!day.isBefore(today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)))) {
            return "on " + day.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        }
        return ago + " days ago";
    }

    /** "since Monday" (this week), "since yesterday", "in the last 6 days". */
    static String since(Instant first, Instant now, ZoneId zone) {
        String when = when(first, now, zone);
        return switch (when) {
            case "today" -> "today";
            case "yesterday" -> "since yesterday";
            default -> when.startsWith("on ") ? "since " + when.substring(3) : "in the last " + (ChronoUnit.DAYS
                    .between(first.atZone(zone).toLocalDate(), now.atZone(zone).toLocalDate()) + 1) + " days";
        };
    }
}

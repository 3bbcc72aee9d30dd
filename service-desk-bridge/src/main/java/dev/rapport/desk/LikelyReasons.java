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

    /** The reasons in English (the agent API's words), best first, at most three. */
    public static List<Reason> of(List<Happening> recent, List<Ticket> openTickets, Instant now, ZoneId zone) {
        return of(recent, openTickets, now, zone, Words.ENGLISH);
    }

    /**
     * The reasons, best first, at most three.
     *
     * @param recent the person's latest events, newest first
     * @param openTickets the person's open tickets, newest first
     * @param zone the person's time zone, for "yesterday" and "since Monday"
     * @param words the language they are said in
     */
    public static List<Reason> of(List<Happening> recent, List<Ticket> openTickets, Instant now, ZoneId zone,
            Words words) {
        Said say = new Said(words, now, zone);
        List<Reason> out = new ArrayList<>();
        for (Ticket t : openTickets) {
            out.add(new Reason(words.openTicket(t.id(), t.subject()), List.of(words.event(EventTypes.TICKET_OPENED,
                    say.when(t.openedAt()), "service_desk")), 100 - (int) Math.min(50, days(t.openedAt(), now))));
        }
        List<Happening> window = recent.stream().filter(h -> h.at().isAfter(now.minus(WINDOW))).toList();
        orders(window, say, out);
        messages(window, say, out);
        clicks(window, say, out);
        interests(window, say, out);
        return out.stream().sorted(Comparator.comparingInt(Reason::weight).reversed()).limit(3).toList();
    }

    /** The latest status of each recent order: moved (shipped, confirmed, cancelled) or still pending. */
    private static void orders(List<Happening> window, Said say, List<Reason> out) {
        Set<String> seen = new HashSet<>();
        for (Happening h : window) {
            String order = h.text("orderId");
            if (order == null || !seen.add(order)) {
                continue;
            }
            String when = say.when(h.at());
            if (h.type().equals(EventTypes.ORDER_STATUS_CHANGED) && h.text("status") != null
                    && !h.text("status").equals("completed")) {
                out.add(new Reason(say.words.orderMoved(order, h.text("status"), when), List.of(say.words
                        .statusChanged(h.text("status"), when, h.channel())),
                        80 - (int) Math.min(30, days(h.at(), say.now) * 5)));
            } else if (h.type().equals(EventTypes.ORDER_PLACED)) {
                List<String> products = h.texts("productIds");
                out.add(new Reason(say.words.orderPending(order, when), List.of(say.words.event(h.type(), when,
                        h.channel()) + (products.isEmpty() ? "" : say.words.products(products))),
                        60 - (int) Math.min(30, days(h.at(), say.now) * 5)));
            }
        }
    }

    /** The latest message the person wrote in the last three days. */
    private static void messages(List<Happening> window, Said say, List<Reason> out) {
        window.stream().filter(h -> h.type().equals(EventTypes.INBOUND_MESSAGE) && h.text("text") != null
                && h.at().isAfter(say.now.minus(Duration.ofDays(3)))).findFirst().ifPresent(h -> {
                    String text = h.text("text").strip().replaceAll("\\s+", " ");
                    String when = say.when(h.at());
                    out.add(new Reason(say.words.wrote(when, h.channel(), text.length() > 80 ? text.substring(0, 80)
                            + "…" : text), List.of(say.words.event(h.type(), when, h.channel())), 70));
                });
    }

    /** A marketing message clicked in the last three days. */
    private static void clicks(List<Happening> window, Said say, List<Reason> out) {
        window.stream().filter(h -> h.type().equals(EventTypes.MESSAGE_CLICKED)
                && h.at().isAfter(say.now.minus(Duration.ofDays(3)))).findFirst().ifPresent(h -> {
                    String when = say.when(h.at());
                    out.add(new Reason(say.words.clicked(h.text("campaignId"), when, h.channel()), List.of(
                            say.words.event(h.type(), when, h.channel())), 50));
                });
    }

    /** Pages or products of one kind viewed at least twice in the last seven days. */
    private static void interests(List<Happening> window, Said say, List<Reason> out) {
        Map<String, List<Happening>> byTopic = new LinkedHashMap<>();
        for (Happening h : window) {
            if (!(h.type().equals(EventTypes.PAGE_VIEWED) || h.type().equals(EventTypes.PRODUCT_VIEWED))
                    || !h.at().isAfter(say.now.minus(Duration.ofDays(7)))) {
                continue;
            }
            String topic = h.text("category") != null ? "category:" + h.text("category")
                    : h.text("productId") != null ? "product:" + h.text("productId") : null;
            if (topic != null) {
                byTopic.computeIfAbsent(topic, k -> new ArrayList<>()).add(h);
            }
        }
        byTopic.forEach((topic, views) -> {
            if (views.size() < 2) {
                return;
            }
            Set<String> channels = new LinkedHashSet<>();
            views.forEach(v -> channels.add(v.channel()));
            Instant first = views.get(views.size() - 1).at();
            String name = topic.substring(topic.indexOf(':') + 1);
            String reason = say.words.viewed(topic.startsWith("category:"), name, views.size(), say.since(first),
                    List.copyOf(channels));
            out.add(new Reason(reason, views.stream().limit(5).map(v -> say.words.event(v.type(), say.when(v.at()),
                    v.channel())).toList(), 30 + Math.min(15, views.size())));
        });
    }

    private static long days(Instant at, Instant now) {
        return Math.max(0, ChronoUnit.DAYS.between(at, now));
    }

    /** Times said relative to now in the person's zone, in a language. */
    private record Said(Words words, Instant now, ZoneId zone) {

        String when(Instant at) {
            return LikelyReasons.when(at, now, zone, words);
        }

        String since(Instant first) {
            LocalDate day = first.atZone(zone).toLocalDate();
            LocalDate today = now.atZone(zone).toLocalDate();
            long ago = ChronoUnit.DAYS.between(day, today);
            return words.since(ago, thisWeek(day, today) ? day.getDayOfWeek() : null);
        }
    }

    /** "today", "yesterday", "on Monday" (this week), "5 days ago", in English. */
    static String when(Instant at, Instant now, ZoneId zone) {
        return when(at, now, zone, Words.ENGLISH);
    }

    static String when(Instant at, Instant now, ZoneId zone, Words words) {
        LocalDate day = at.atZone(zone).toLocalDate();
        LocalDate today = now.atZone(zone).toLocalDate();
        long ago = ChronoUnit.DAYS.between(day, today);
        return words.when(ago, thisWeek(day, today) ? day.getDayOfWeek() : null);
    }

    private static boolean thisWeek(LocalDate day, LocalDate today) {
        return !day.isBefore(today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
    }

    /** How the reasons are said: English for the agent API, Russian for the agent's page. */
    public interface Words {

        Words ENGLISH = new English();
        Words RUSSIAN = new Russian();

        /** A day {@code ago} days back; {@code weekday} when it is in this week. */
        String when(long ago, DayOfWeek weekday);

        /** Since a day {@code ago} days back; {@code weekday} when it is in this week. */
        String since(long ago, DayOfWeek weekday);

        String openTicket(String id, String subject);

        String orderMoved(String order, String status, String when);

        String orderPending(String order, String when);

        String wrote(String when, String channel, String text);

        String clicked(String campaign, String when, String channel);

        String viewed(boolean category, String name, int times, String since, List<String> channels);

        /** Evidence: an event, when, on which channel. */
        String event(String type, String when, String channel);

        /** Evidence: an order's new status, when, on which channel. */
        String statusChanged(String status, String when, String channel);

        String products(List<String> products);
    }

    /** The agent API's words. */
    private static final class English implements Words {

        @Override
        public String when(long ago, DayOfWeek weekday) {
            if (ago <= 0) {
                return "today";
            }
            if (ago == 1) {
                return "yesterday";
            }
            return weekday != null ? "on " + weekday.getDisplayName(TextStyle.FULL, Locale.ENGLISH) : ago + " days ago";
        }

        @Override
        public String since(long ago, DayOfWeek weekday) {
            if (ago <= 0) {
                return "today";
            }
            if (ago == 1) {
                return "since yesterday";
            }
            return weekday != null ? "since " + weekday.getDisplayName(TextStyle.FULL, Locale.ENGLISH)
                    : "in the last " + (ago + 1) + " days";
        }

        @Override
        public String openTicket(String id, String subject) {
            return "open ticket " + id + (subject == null ? "" : " about «" + subject + "»");
        }

        @Override
        public String orderMoved(String order, String status, String when) {
            return "order " + order + " " + status + " " + when;
        }

        @Override
        public String orderPending(String order, String when) {
            return "order " + order + " placed " + when + " is still pending";
        }

        @Override
        public String wrote(String when, String channel, String text) {
            return "wrote " + when + (channel == null ? "" : " on " + channel) + ": «" + text + "»";
        }

        @Override
        public String clicked(String campaign, String when, String channel) {
            return "clicked " + (campaign != null ? "campaign " + campaign : "a message") + " " + when
                    + (channel == null ? "" : " in " + channel);
        }

        @Override
        public String viewed(boolean category, String name, int times, String since, List<String> channels) {
            return "viewed " + (category ? name + " pages" : "product " + name) + " " + times + " times " + since
                    + " (" + String.join(", ", channels.stream().map(c -> c == null ? "unknown" : c).toList()) + ")";
        }

        @Override
        public String event(String type, String when, String channel) {
            return (type.equals(EventTypes.TICKET_OPENED) ? "ticket opened" : type) + " " + when
                    + (channel == null ? "" : " (" + channel + ")");
        }

        @Override
        public String statusChanged(String status, String when, String channel) {
            return event(EventTypes.ORDER_STATUS_CHANGED + " " + status, when, channel);
        }

        @Override
        public String products(List<String> products) {
            return ", products " + String.join(", ", products);
        }
    }

    /** The agent page's words. */
    private static final class Russian implements Words {

        private static final Map<String, String> CHANNELS = Map.ofEntries(Map.entry("web", "сайт"),
                Map.entry("app", "приложение"), Map.entry("email", "email"), Map.entry("sms", "SMS"),
                Map.entry("push", "push"), Map.entry("messenger", "мессенджер"),
                Map.entry("call_center", "колл-центр"), Map.entry("store", "магазин"), Map.entry("social", "соцсети"),
                Map.entry("service_desk", "служба поддержки"));
        private static final Map<String, String> EVENTS = Map.of(EventTypes.TICKET_OPENED, "обращение открыто",
                EventTypes.ORDER_STATUS_CHANGED, "статус заказа изменён", EventTypes.ORDER_PLACED, "заказ оформлен",
                EventTypes.INBOUND_MESSAGE, "сообщение клиента", EventTypes.MESSAGE_CLICKED, "переход по ссылке",
                EventTypes.PAGE_VIEWED, "просмотр страницы", EventTypes.PRODUCT_VIEWED, "просмотр товара");
        private static final Map<String, String> STATUSES = Map.of("shipped", "отправлен", "confirmed", "подтверждён",
                "cancelled", "отменён", "canceled", "отменён", "delivered", "доставлен", "returned", "возвращён",
                "pending", "ожидает", "processing", "собирается");
        private static final String[] WEEKDAYS = { "понедельник", "вторник", "среду", "четверг", "пятницу",
            "субботу", "воскресенье" };
        private static final String[] SINCE = { "понедельника", "вторника", "среды", "четверга", "пятницы",
            "субботы", "воскресенья" };

        /** The channel's name, or "?" for an event without one. */
        static String channel(String channel) {
            return channel == null ? "?" : CHANNELS.getOrDefault(channel, channel);
        }

        @Override
        public String when(long ago, DayOfWeek weekday) {
            if (ago <= 0) {
                return "сегодня";
            }
            if (ago == 1) {
                return "вчера";
            }
            if (weekday != null) {
                return (weekday == DayOfWeek.TUESDAY ? "во " : "в ") + WEEKDAYS[weekday.getValue() - 1];
            }
            return ago + " " + plural(ago, "день", "дня", "дней") + " назад";
        }

        @Override
        public String since(long ago, DayOfWeek weekday) {
            if (ago <= 0) {
                return "сегодня";
            }
            if (ago == 1) {
                return "со вчерашнего дня";
            }
            if (weekday != null) {
                return (weekday == DayOfWeek.TUESDAY ? "со " : "с ") + SINCE[weekday.getValue() - 1];
            }
            return "за последние " + (ago + 1) + " " + plural(ago + 1, "день", "дня", "дней");
        }

        @Override
        public String openTicket(String id, String subject) {
            return "открыто обращение " + id + (subject == null ? "" : " «" + subject + "»");
        }

        @Override
        public String orderMoved(String order, String status, String when) {
            return "заказ " + order + " " + STATUSES.getOrDefault(status, "— статус «" + status + "»") + " " + when;
        }

        @Override
        public String orderPending(String order, String when) {
            return "заказ " + order + ", оформленный " + when + ", ещё не выполнен";
        }

        @Override
        public String wrote(String when, String channel, String text) {
            return "писал(а) " + when + (channel == null ? "" : " (" + channel(channel) + ")") + ": «" + text + "»";
        }

        @Override
        public String clicked(String campaign, String when, String channel) {
            return "перешёл(ла) по ссылке " + (campaign != null ? "кампании " + campaign : "из сообщения") + " "
                    + when + (channel == null ? "" : " (" + channel(channel) + ")");
        }

        @Override
        public String viewed(boolean category, String name, int times, String since, List<String> channels) {
            return "смотрел(а) " + (category ? "страницы «" + name + "»" : "товар " + name) + " " + times + " "
                    + plural(times, "раз", "раза", "раз") + " " + since + " (" + String.join(", ", channels.stream()
                            .map(Russian::channel).toList()) + ")";
        }

        @Override
        public String event(String type, String when, String channel) {
            return EVENTS.getOrDefault(type, type) + " " + when + (channel == null ? "" : " (" + channel(channel)
                    + ")");
        }

        @Override
        public String statusChanged(String status, String when, String channel) {
            return "статус заказа «" + STATUSES.getOrDefault(status, status) + "» " + when + (channel == null ? ""
                    : " (" + channel(channel) + ")");
        }

        @Override
        public String products(List<String> products) {
            return ", товары " + String.join(", ", products);
        }

        /** The Russian plural: 1 день, 2 дня, 5 дней, 11 дней, 21 день. */
        static String plural(long n, String one, String few, String many) {
            long tens = n % 100;
            long units = n % 10;
            if (tens >= 11 && tens <= 14) {
                return many;
            }
            return units == 1 ? one : units >= 2 && units <= 4 ? few : many;
        }
    }
}

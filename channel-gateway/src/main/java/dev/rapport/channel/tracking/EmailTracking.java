package dev.rapport.channel.tracking;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import dev.rapport.channel.Message;

/**
 * What the gateway adds to an email before it goes, so opens, clicks, unsubscribes and satisfaction come back: every
 * web link of the HTML part is rewritten through {@code /t/c/{token}} (a link marked {@code data-rapport-track="off"}
 * stays as it is), an invisible pixel {@code /t/o/{token}} records the open, a marketing email carries
 * {@code List-Unsubscribe} with RFC 8058 one-click ({@code /t/u/{token}}), and a service or transactional email ends
 * with a satisfaction footer ({@code /t/csat/{token}?score=good|ok|bad}) worded in the message's language. The HTML is
 * read and written by a parser, never patched by patterns. Plain functions over a {@link TrackingTokens}.
 */
public final class EmailTracking {

    /** The email as it goes: its parts and the headers to add. */
    public record Tracked(String html, String text, Map<String, String> headers) {
    }

    /** The footer's words in a language. */
    record Footer(String question, String good, String ok, String bad) {
    }

    private static final Map<String, Footer> FOOTERS = Map.of(
            "ru", new Footer("Как мы справились?", "Хорошо", "Нормально", "Плохо"),
            "en", new Footer("How did we do?", "Good", "OK", "Bad"));

    private final TrackingTokens tokens;
    private final String base;

    /** @param base the public URL the tracking links point at ({@code https://rapport.example.com}) */
    public EmailTracking(TrackingTokens tokens, String base) {
        this.tokens = tokens;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The email with its tracking. */
    public Tracked track(Message m) {
        boolean marketing = m.purpose().equals("marketing");
        Footer footer = footer(m.language());
        Map<String, String> headers = new LinkedHashMap<>();
        if (marketing) {
            headers.put("List-Unsubscribe", "<" + url("u", m.id(), null) + ">");
            headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        String html = m.content().html() == null ? null : html(m, marketing ? null : footer);
        String text = m.content().text();
        if (text != null && !marketing) {
            text = text + "\n\n-- \n" + footer.question() + "\n" + footer.good() + ": " + csat(m, "good") + "\n"
                    + footer.ok() + ": " + csat(m, "ok") + "\n" + footer.bad() + ": " + csat(m, "bad") + "\n";
        }
        return new Tracked(html, text, headers);
    }

    private String html(Message m, Footer footer) {
        Document doc = Jsoup.parse(m.content().html());
        doc.outputSettings().prettyPrint(false);
        for (Element a : doc.select("a[href]")) {
            String href = a.attr("href").strip();
            String scheme = href.toLowerCase(Locale.ROOT);
            if ("off".equals(a.attr("data-rapport-track")) || !(scheme.startsWith("https://")
                    || scheme.startsWith("http://")) || !web(href)) {
                a.removeAttr("data-rapport-track");
                continue;
            }
            a.attr("href", url("c", m.id(), href));
        }
        if (footer != null) {
            Element p = doc.body().appendElement("p").attr("style", "font-size:12px;color:#666");
            p.appendText(footer.question() + " ");
            p.appendElement("a").attr("href", csat(m, "good")).text(footer.good());
            p.appendText(" · ");
            p.appendElement("a").attr("href", csat(m, "ok")).text(footer.ok());
            p.appendText(" · ");
            p.appendElement("a").attr("href", csat(m, "bad")).text(footer.bad());
        }
        doc.body().appendElement("img").attr("src", url("o", m.id(), null)).attr("width", "1")
                .attr("height", "1").attr("alt", "").attr("style", "display:none");
        return doc.outerHtml();
    }

    /** Whether a link is a web address a redirect can name (a malformed one is left as the author wrote it). */
    private static boolean web(String href) {
        try {
            return URI.create(href).getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String csat(Message m, String score) {
        return url("s", m.id(), null) + "?score=" + score;
    }

    private String url(String action, String messageId, String target) {
        String path = switch (action) {
            case "o" -> "/t/o/";
            case "c" -> "/t/c/";
            case "u" -> "/t/u/";
            default -> "/t/csat/";
        };
        return base + path + tokens.token(action.charAt(0), messageId, target);
    }

    /** The footer's words in a language, English for one Rapport does not speak. */
    static Footer footer(String language) {
        return FOOTERS.getOrDefault(language == null ? "" : language, FOOTERS.get("en"));
    }
}

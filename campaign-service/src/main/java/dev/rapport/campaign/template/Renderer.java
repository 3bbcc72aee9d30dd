package dev.rapport.campaign.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.campaign.config.CampaignConfig;
import dev.rapport.campaign.repository.TemplateStore.Stored;
import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.text.SmsSegments;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.Variant;

/**
 * Templates in Qute. A template's parts are parsed when it is stored (a fault is named with its line and column), and
 * rendered for one person with {@code greeting} (see {@link Voice}), {@code person} (their traits) and {@code brand};
 * an email's HTML goes inside the one brand layout. A part that cannot be rendered for the person (a trait it needs
 * that they lack) fails the whole message for that person, naming the part: nothing half-filled is sent.
 */
@ApplicationScoped
public class Renderer {

    /** The parts each channel needs: at least one of each inner list. */
    static final Map<String, List<List<String>>> REQUIRED = Map.of(
            "email", List.of(List.of("subject"), List.of("html", "text")),
            "sms", List.of(List.of("text")),
            "messenger", List.of(List.of("text")),
            "push", List.of(List.of("title", "body")));

    /** A message rendered for one person, with the SMS parts it takes. */
    public record Rendered(String channel, String subject, String html, String text, String title, String body,
            Integer segments, String encoding) {
    }

    private final Engine engine;
    private final CampaignConfig config;
    private final Template layout;

    public Renderer(Engine engine, CampaignConfig config) {
        this.engine = engine;
        this.config = config;
        this.layout = engine.getTemplate("brand/email.html");
    }

    /** Checks a template's parts: each that is given parses, and the channel has the parts it needs. */
    public void check(String channel, Map<String, String> parts) {
        List<FieldError> errors = new ArrayList<>();
        List<List<String>> required = REQUIRED.get(channel);
        if (required == null) {
            throw RapportException.invalidField("channel", "must be email, sms, push or messenger");
        }
        for (List<String> oneOf : required) {
            if (oneOf.stream().allMatch(p -> blank(parts.get(p)))) {
                errors.add(new FieldError(oneOf.get(0), "a " + channel + " template needs " + String.join(" or ",
                        oneOf)));
            }
        }
        parts.forEach((name, source) -> {
            if (!blank(source)) {
                try {
                    parse(name, source);
                } catch (TemplateException e) {
                    errors.add(new FieldError(name, where(e) + e.getMessage()));
                }
            }
        });
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
    }

    /** Renders the template for a person with these traits. */
    public Rendered render(Stored t, Map<String, Object> traits) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("greeting", Voice.greeting(config.voice().form(), traits));
        data.put("person", traits);
        data.put("brand", config.voice().brand());
        List<FieldError> errors = new ArrayList<>();
        String subject = part("subject", t.subject(), data, errors);
        String html = part("html", t.html(), data, errors);
        String text = part("text", t.text(), data, errors);
        String title = part("title", t.title(), data, errors);
        String body = part("body", t.body(), data, errors);
        if (!errors.isEmpty()) {
            throw new RapportException(ErrorKind.UNPROCESSABLE, "render_failed", "The template cannot be rendered "
                    + "for this person: " + errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        if (html != null) {
            String lang = Voice.language(traits);
            html = layout.data("lang", lang).data("subject", subject == null ? "" : subject).data("brand",
                    config.voice().brand()).data("content", html).data("signature", lang.equals("en")
                            ? config.voice().signatureEn() : config.voice().signatureRu()).render();
        }
        Integer segments = null;
        String encoding = null;
        if (t.channel().equals("sms") && text != null) {
            SmsSegments.Count c = SmsSegments.of(text);
            segments = c.segments();
            encoding = c.encoding() == SmsSegments.Encoding.GSM_7 ? "GSM-7" : "UCS-2";
        }
        return new Rendered(t.channel(), subject, html, text, title, body, segments, encoding);
    }

    private String part(String name, String source, Map<String, Object> data, List<FieldError> errors) {
        if (blank(source)) {
            return null;
        }
        try {
            return parse(name, source).render(data).strip();
        } catch (TemplateException e) {
            errors.add(new FieldError(name, where(e) + e.getMessage()));
            return null;
        }
    }

    /** A part as Qute reads it: the HTML part as HTML, so a person's traits in it are escaped. */
    private Template parse(String name, String source) {
        return name.equals("html") ? engine.parse(source, Variant.forContentType(Variant.TEXT_HTML))
                : engine.parse(source);
    }

    private static String where(TemplateException e) {
        return e.getOrigin() == null ? "" : "line " + e.getOrigin().getLine() + ", column "
                + e.getOrigin().getLineCharacterStart() + ": ";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

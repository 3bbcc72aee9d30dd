package dev.rapport.campaign.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.campaign.repository.TemplateStore.Stored;
import dev.rapport.campaign.template.Renderer.Rendered;
import dev.rapport.common.error.RapportException;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Rendering for one person with the service's Qute engine: the greeting in the configured formal voice, traits
 * filled in (and escaped in HTML), an email inside the brand layout with the signature in the person's language, an
 * SMS with its parts and encoding; a part needing a trait the person lacks fails the whole message, naming the part.
 */
@QuarkusTest
class RendererTest {

    @Inject
    Renderer renderer;

    @Test
    void anEmailIsRenderedInTheBrandLayoutWithTheGreetingAndEscapedTraits() {
        Stored t = template("email", "{greeting}, ваш заказ готов", "<p>{greeting}!</p><p>Город: {person.city}</p>",
                "{greeting}! Заказ готов.", null, null);
        Rendered r = renderer.render(t, Map.of("firstName", "Иван", "middleName", "Петрович", "city",
                "<b>Москва</b>"));
        assertThat(r.subject()).isEqualTo("Здравствуйте, Иван Петрович, ваш заказ готов");
        assertThat(r.text()).isEqualTo("Здравствуйте, Иван Петрович! Заказ готов.");
        assertThat(r.html()).contains("<p>Здравствуйте, Иван Петрович!</p>", "&lt;b&gt;Москва&lt;/b&gt;",
                "С уважением, команда Rapport", "lang=\"ru\"").doesNotContain("<b>Москва</b>");
        assertThat(r.segments()).isNull();
    }

    @Test
    void anSmsSaysHowManyPartsItTakesAndInWhichEncoding() {
        Rendered cyrillic = renderer.render(template("sms", null, null, "{greeting}! Скидка 20 % на мячи до "
                + "воскресенья в магазинах и на сайте. Покажите это сообщение на кассе.", null, null),
                Map.of("firstName", "Иван"));
        assertThat(cyrillic.encoding()).isEqualTo("UCS-2");
        assertThat(cyrillic.segments()).isEqualTo(2);
        Rendered latin = renderer.render(template("sms", null, null, "Hi {person.firstName}, your code is 4821",
                null, null), Map.of("firstName", "Ann"));
        assertThat(latin.text()).isEqualTo("Hi Ann, your code is 4821");
        assertThat(latin.encoding()).isEqualTo("GSM-7");
        assertThat(latin.segments()).isEqualTo(1);
    }

    @Test
    void aPartNeedingATraitThePersonLacksFailsTheMessageForThemNamingThePart() {
        Stored t = template("push", null, null, null, "{greeting}", "Ваш бонус в {person.city}");
        assertThat(renderer.render(t, Map.of("city", "Казани")).body()).isEqualTo("Ваш бонус в Казани");
        assertThatThrownBy(() -> renderer.render(t, Map.of("firstName", "Иван")))
                .isInstanceOfSatisfying(RapportException.class, e -> {
                    assertThat(e.reason()).isEqualTo("render_failed");
                    assertThat(e.errors().get(0).field()).isEqualTo("body");
                });
    }

    @Test
    void partsThatDoNotParseAreNamedWithTheirLineAndTheChannelsNeedsChecked() {
        assertThatThrownBy(() -> renderer.check("email", Map.of("subject", "Привет", "text", "строка\n{#if x}"
                + "без конца"))).isInstanceOfSatisfying(RapportException.class, e -> {
                    assertThat(e.errors().get(0).field()).isEqualTo("text");
                    assertThat(e.errors().get(0).message()).startsWith("line 2");
                });
        assertThatThrownBy(() -> renderer.check("email", Map.of("text", "Без темы")))
                .isInstanceOfSatisfying(RapportException.class, e -> assertThat(e.errors().get(0).field())
                        .isEqualTo("subject"));
        assertThatThrownBy(() -> renderer.check("voice", Map.of("text", "Звонок")))
                .isInstanceOfSatisfying(RapportException.class, e -> assertThat(e.errors().get(0).field())
                        .isEqualTo("channel"));
    }

    private static Stored template(String channel, String subject, String html, String text, String title,
            String body) {
        return new Stored("tpl-test", "test", channel, subject, html, text, title, body, null, Instant.now());
    }
}

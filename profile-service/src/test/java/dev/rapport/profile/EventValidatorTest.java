package dev.rapport.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.vocabulary.Channel;

class EventValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private final EventValidator validator = new EventValidator(new IdentifierNormalizer("RU"), Duration.ofMinutes(10),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static RawEvent raw(String id, String type, String channel, String at, Map<String, String> identifiers) {
        return new RawEvent(id, type, channel, at, identifiers, null, null, List.of());
    }

    @Test
    void normalisesAValidEvent() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("email", "  Ivan@Example.COM ");
        ids.put("phone", "8 (916) 123-45-67");
        ids.put("anonymousId", " cookie-7f3a ");
        EventValidator.Result result = validator.validate(raw("evt-1", "product_viewed", "web",
                "2026-11-20T13:00:00+03:00", ids));
        assertThat(result).isInstanceOfSatisfying(EventValidator.Valid.class, v -> {
            assertThat(v.event().channel()).isEqualTo(Channel.WEB);
            assertThat(v.event().occurredAt()).isEqualTo(NOW);
            assertThat(v.event().identifiers()).containsExactly(
                    new Identifier(IdentifierKind.EMAIL, "ivan@example.com"),
                    new Identifier(IdentifierKind.PHONE, "+79161234567"),
                    new Identifier(IdentifierKind.ANONYMOUS_ID, "cookie-7f3a"));
        });
    }

    @Test
    void reportsEveryProblemNotOnlyTheFirst() {
        EventValidator.Result result = validator.validate(raw(null, null, "fax", "yesterday",
                Map.of("email", "not-an-email")));
        assertThat(result).isInstanceOfSatisfying(EventValidator.Invalid.class, inv -> assertThat(inv.errors())
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("id", "type", "channel", "occurredAt", "identifiers.email"));
    }

    @Test
    void acceptsTimesUpToTheSkewAheadAndRefusesLaterOnes() {
        Map<String, String> ids = Map.of("anonymousId", "c");
        assertThat(validator.validate(raw("e", "t", null, NOW.plus(Duration.ofMinutes(9)).toString(), ids)))
                .isInstanceOf(EventValidator.Valid.class);
        assertThat(validator.validate(raw("e", "t", null, NOW.plus(Duration.ofMinutes(11)).toString(), ids)))
                .isInstanceOf(EventValidator.Invalid.class);
    }

    @Test
    void ignoresUnknownIdentifierKindsAndNulls() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("shoeSize", "44");
        ids.put("email", null);
        assertThat(validator.validate(raw("e", "t", null, NOW.toString(), ids)))
                .isInstanceOfSatisfying(EventValidator.Invalid.class, inv -> assertThat(inv.errors())
                        .extracting(FieldError::field).containsExactly("identifiers"));
    }
}

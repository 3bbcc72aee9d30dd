package dev.rapport.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdentifierNormalizerTest {

    private final IdentifierNormalizer ru = new IdentifierNormalizer("RU");

    private String value(IdentifierKind kind, String raw) {
        return ((IdentifierNormalizer.Valid) ru.normalize(kind, raw)).identifier().value();
    }

    private String problem(IdentifierKind kind, String raw) {
        return ((IdentifierNormalizer.Invalid) ru.normalize(kind, raw)).message();
    }

    @Test
    void bringsEveryRussianWayOfWritingAPhoneToE164() {
        for (String raw : new String[] { "+7 916 123-45-67", "8 (916) 123-45-67", "89161234567", "+79161234567",
                "7 916 1234567", "(916) 123 45 67" }) {
            assertThat(value(IdentifierKind.PHONE, raw)).as(raw).isEqualTo("+79161234567");
        }
        assertThat(value(IdentifierKind.PHONE, "+44 20 7946 0958")).isEqualTo("+442079460958");
    }

    @Test
    void readsNumbersWithoutCountryCodeInTheConfiguredRegion() {
        IdentifierNormalizer uk = new IdentifierNormalizer("GB");
        assertThat(((IdentifierNormalizer.Valid) uk.normalize(IdentifierKind.PHONE, "020 7946 0958")).identifier().value())
                .isEqualTo("+442079460958");
    }

    @Test
    void refusesWhatIsNoPhoneNumber() {
        assertThat(problem(IdentifierKind.PHONE, "call me")).isEqualTo("is not a phone number");
        assertThat(problem(IdentifierKind.PHONE, "+7 000 000-00-00")).isEqualTo("is not a valid phone number");
        assertThat(problem(IdentifierKind.PHONE, "123")).isEqualTo("is not a valid phone number");
    }

    @Test
    void trimsLowerCasesAndValidatesEmails() {
        assertThat(value(IdentifierKind.EMAIL, "  Ivan.Petrov@Example.COM ")).isEqualTo("ivan.petrov@example.com");
        assertThat(problem(IdentifierKind.EMAIL, "ivan@@example.com")).isEqualTo("is not a valid email address");
        assertThat(problem(IdentifierKind.EMAIL, "ivan@example")).isEqualTo("is not a valid email address");
        assertThat(problem(IdentifierKind.EMAIL, "   ")).isEqualTo("must not be blank");
    }

    @Test
    void trimsOtherIdentifiersAndRefusesControlCharactersAndLongValues() {
        assertThat(value(IdentifierKind.LOYALTY_CARD, " 4000-1234 ")).isEqualTo("4000-1234");
        assertThat(problem(IdentifierKind.ANONYMOUS_ID, "a\nb")).isEqualTo("must not contain control characters");
        assertThat(problem(IdentifierKind.DEVICE_ID, "x".repeat(257))).contains("at most 256");
    }

    @Test
    void refusesAnUnknownRegion() {
        assertThatThrownBy(() -> new IdentifierNormalizer("XX")).isInstanceOf(IllegalArgumentException.class);
    }
}

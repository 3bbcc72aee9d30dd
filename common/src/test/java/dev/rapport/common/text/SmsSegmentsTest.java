package dev.rapport.common.text;

import static dev.rapport.common.text.SmsSegments.Encoding.GSM_7;
import static dev.rapport.common.text.SmsSegments.Encoding.UCS_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.rapport.common.text.SmsSegments.Count;
import dev.rapport.common.text.SmsSegments.Encoding;

/**
 * The SMS length rules: the published cases P1 to P48 as the reference numbers them, what follows from the rules, and
 * the edges (the tables character by character, graphemes that must not be cut, the empty text).
 */
class SmsSegmentsTest {

    static final String D = "1234567890";
    static final String WINKING = "😜";
    static final String GRINNING = "😀";
    static final String ITALY = "🇮🇹";
    /** White flag, variation selector 16, zero-width joiner, rainbow: one grapheme of 6 code units. */
    static final String RAINBOW_FLAG = "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08";
    static final String E_WITH_THREE_ACUTES = "e\u0301\u0301\u0301";
    /** Cyrillic capital Pe, spelt as an escape because it looks just like the Greek capital Pi of the GSM table. */
    static final String CYRILLIC_PE = "\u041F";
    static final String GREEK_PI = "\u03A0";
    /** The extension characters in the order of the published cases P15 to P32. */
    static final List<String> EXTENSION_CASES = List.of("|", "^", "€", "{", "}", "[", "]", "~", "\\");
    /** The accented letters of the published cases P33 to P48, none of them in the GSM table. */
    static final List<String> ACCENTED_CASES = List.of("Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó");
    /** The GSM 03.38 basic table as the reference spells it, without the escape at 0x1B: 127 characters. */
    static final String BASIC_TABLE = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    static final String EXTENSION_TABLE = "\f^{}\\[~]|€";

    static Stream<Arguments> publishedCases() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(published(1, "D×16 (160 chars)", D.repeat(16), GSM_7, 160, 1));
        cases.add(published(2, "D×16+1 (161 chars)", D.repeat(16) + "1", GSM_7, 161, 2));
        cases.add(published(3, "D×30+1234567 (307 chars), the last part holds only 7", D.repeat(30) + "1234567",
                GSM_7, 307, 3));
        cases.add(published(4, "😜+68 digits", WINKING + digitsFrom2(68), UCS_2, 70, 1));
        cases.add(published(5, "😜+69 digits", WINKING + digitsFrom2(69), UCS_2, 71, 2));
        cases.add(published(6, "😜+133 digits", WINKING + digitsFrom2(133), UCS_2, 135, 3));
        cases.add(published(7, "🇮🇹+66 digits", ITALY + digitsFrom2(66), UCS_2, 70, 1));
        cases.add(published(8, "🇮🇹+67 digits", ITALY + digitsFrom2(67), UCS_2, 71, 2));
        cases.add(published(9, "rainbow flag+64 digits", RAINBOW_FLAG + digitsFrom2(64), UCS_2, 70, 1));
        cases.add(published(10, "rainbow flag+65 digits", RAINBOW_FLAG + digitsFrom2(65), UCS_2, 71, 2));
        cases.add(published(11, "😀+]×68", GRINNING + "]".repeat(68), UCS_2, 70, 1));
        cases.add(published(12, "😀+]×69", GRINNING + "]".repeat(69), UCS_2, 71, 2));
        cases.add(published(13, "e+3 acutes+a×66", E_WITH_THREE_ACUTES + "a".repeat(66), UCS_2, 70, 1));
        cases.add(published(14, "e+3 acutes+a×67", E_WITH_THREE_ACUTES + "a".repeat(67), UCS_2, 71, 2));
        int number = 15;
        for (String c : EXTENSION_CASES) {
            cases.add(published(number++, c + "+D×15+12345678 (159 chars)", c + D.repeat(15) + "12345678",
                    GSM_7, 160, 1));
            cases.add(published(number++, c + "+D×15+123456789 (160 chars)", c + D.repeat(15) + "123456789",
                    GSM_7, 161, 2));
        }
        for (String c : ACCENTED_CASES) {
            cases.add(published(number++, c + "×70", c.repeat(70), UCS_2, 70, 1));
            cases.add(published(number++, c + "×71", c.repeat(71), UCS_2, 71, 2));
        }
        assertThat(number).as("the published cases run to P48").isEqualTo(49);
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedCases")
    void thePublishedCasesCountAsTheReferenceSays(String name, String text, Count expected) {
        assertThat(SmsSegments.of(text)).as(name).isEqualTo(expected);
    }

    static Stream<Arguments> consequences() {
        return Stream.of(
                arguments("an escape pair moves whole into the next part: a×152+€+a×152",
                        "a".repeat(152) + "€" + "a".repeat(152), new Count(GSM_7, 306, 3)),
                arguments("a surrogate pair moves whole into the next part: П×66+😀+П×66",
                        CYRILLIC_PE.repeat(66) + GRINNING + CYRILLIC_PE.repeat(66), new Count(UCS_2, 134, 3)),
                arguments("€×80 fills one part", "€".repeat(80), new Count(GSM_7, 160, 1)),
                arguments("€×81 needs two", "€".repeat(81), new Count(GSM_7, 162, 2)),
                arguments("П×70", CYRILLIC_PE.repeat(70), new Count(UCS_2, 70, 1)),
                arguments("П×71", CYRILLIC_PE.repeat(71), new Count(UCS_2, 71, 2)),
                arguments("П×134", CYRILLIC_PE.repeat(134), new Count(UCS_2, 134, 2)),
                arguments("П×135", CYRILLIC_PE.repeat(135), new Count(UCS_2, 135, 3)),
                arguments("a Russian order message", "Ваш заказ 123 передан в доставку", new Count(UCS_2, 32, 1)),
                arguments("a×306 fills two parts", "a".repeat(306), new Count(GSM_7, 306, 2)),
                arguments("a×1530 fills ten parts", "a".repeat(1530), new Count(GSM_7, 1530, 10)),
                arguments("a×1531 needs eleven", "a".repeat(1531), new Count(GSM_7, 1531, 11)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("consequences")
    void theConsequencesOfTheRulesHold(String name, String text, Count expected) {
        assertThat(SmsSegments.of(text)).as(name).isEqualTo(expected);
    }

    @Test
    void theEmptyTextIsNothingToSend() {
        assertThat(SmsSegments.of("")).isEqualTo(new Count(GSM_7, 0, 0));
    }

    @Test
    void aMissingTextIsRefused() {
        assertThatThrownBy(() -> SmsSegments.of(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void everyCharacterOfTheBasicTableIsOneSeptet() {
        assertThat(BASIC_TABLE).hasSize(127);
        for (char c : BASIC_TABLE.toCharArray()) {
            assertThat(SmsSegments.of(String.valueOf(c))).as("U+%04X", (int) c).isEqualTo(new Count(GSM_7, 1, 1));
        }
        assertThat(SmsSegments.of(BASIC_TABLE)).isEqualTo(new Count(GSM_7, 127, 1));
    }

    @Test
    void everyExtensionCharacterIsTwoSeptets() {
        for (char c : EXTENSION_TABLE.toCharArray()) {
            assertThat(SmsSegments.of(String.valueOf(c))).as("U+%04X", (int) c).isEqualTo(new Count(GSM_7, 2, 1));
        }
        assertThat(SmsSegments.of(EXTENSION_TABLE)).isEqualTo(new Count(GSM_7, 20, 1));
    }

    @Test
    void theEscapeCodeIsNotACharacterATextCanHold() {
        assertThat(SmsSegments.of("a\u001Bb")).isEqualTo(new Count(UCS_2, 3, 1));
    }

    @Test
    void aCyrillicLetterMakesTheWholeMessageUcs2() {
        String text = "Order " + CYRILLIC_PE + " is on its way";
        assertThat(SmsSegments.of(text)).isEqualTo(new Count(UCS_2, text.length(), 1));
        assertThat(SmsSegments.of("a".repeat(159) + CYRILLIC_PE)).isEqualTo(new Count(UCS_2, 160, 3));
    }

    @Test
    void theGreekCapitalPiOfTheTableIsGsm7WhereTheCyrillicPeIsNot() {
        assertThat(SmsSegments.of(GREEK_PI.repeat(160))).isEqualTo(new Count(GSM_7, 160, 1));
        assertThat(SmsSegments.of(CYRILLIC_PE.repeat(160))).isEqualTo(new Count(UCS_2, 160, 3));
    }

    @Test
    void capitalCCedillaIsGsm7ButSmallCCedillaIsNot() {
        assertThat(SmsSegments.of("Ça va")).isEqualTo(new Count(GSM_7, 5, 1));
        assertThat(SmsSegments.of("garçon")).isEqualTo(new Count(UCS_2, 6, 1));
    }

    @Test
    void aBacktickForcesUcs2() {
        assertThat(SmsSegments.of("run `make`")).isEqualTo(new Count(UCS_2, 10, 1));
    }

    @Test
    void lineBreaksAndTheCurrencySignsOfTheTableStayGsm7() {
        assertThat(SmsSegments.of("@£$¥\n\r\r\n")).isEqualTo(new Count(GSM_7, 8, 1));
    }

    @Test
    void anExtensionCharacterCostsOneCodeUnitInUcs2() {
        assertThat(SmsSegments.of("€".repeat(68) + GRINNING)).isEqualTo(new Count(UCS_2, 70, 1));
        assertThat(SmsSegments.of("€".repeat(69) + GRINNING)).isEqualTo(new Count(UCS_2, 71, 2));
    }

    @Test
    void anEmojiCostsTwoCodeUnits() {
        assertThat(SmsSegments.of(GRINNING)).isEqualTo(new Count(UCS_2, 2, 1));
        assertThat(SmsSegments.of(GRINNING.repeat(35))).isEqualTo(new Count(UCS_2, 70, 1));
        assertThat(SmsSegments.of(GRINNING.repeat(36))).isEqualTo(new Count(UCS_2, 72, 2));
    }

    /**
     * Each text is 134 units with a grapheme across the end of the first part: cut between code points it would fit
     * in two parts of 67; three parts show that the grapheme moved whole into the second.
     */
    @Test
    void aGraphemeNeverStraddlesTwoParts() {
        String a65 = "a".repeat(65);
        assertThat(SmsSegments.of(a65 + ITALY + a65)).as("flag").isEqualTo(new Count(UCS_2, 134, 3));
        String a64 = "a".repeat(64);
        assertThat(SmsSegments.of(a64 + RAINBOW_FLAG + a64)).as("ZWJ sequence").isEqualTo(new Count(UCS_2, 134, 3));
        assertThat(SmsSegments.of(a65 + E_WITH_THREE_ACUTES + a65)).as("accents")
                .isEqualTo(new Count(UCS_2, 134, 3));
    }

    @Test
    void aCrLfPairStaysInOnePart() {
        String a152 = "a".repeat(152);
        assertThat(SmsSegments.of(a152 + "\r\n" + a152)).isEqualTo(new Count(GSM_7, 306, 3));
        assertThat(SmsSegments.of(a152 + "\n\n" + a152)).isEqualTo(new Count(GSM_7, 306, 2));
    }

    /**
     * A ZWJ chain of 45 grinning faces is one grapheme of 134 code units, longer than a part, so it has to be cut; cut
     * between code points (2, 1, 2, 1, …) each part holds 66, so it takes three parts, not the two a cut inside a
     * surrogate pair would give.
     */
    @Test
    void aGraphemeLongerThanAPartIsCutBetweenCodePoints() {
        String chain = GRINNING + ("\u200D" + GRINNING).repeat(44);
        assertThat(graphemes(chain)).as("one grapheme on this JDK").isEqualTo(1);
        assertThat(SmsSegments.of(chain)).isEqualTo(new Count(UCS_2, 134, 3));
        assertThat(SmsSegments.of("e" + "\u0301".repeat(70))).isEqualTo(new Count(UCS_2, 71, 2));
    }

    /** The rules lean on the JDK's grapheme boundaries (UAX #29 extended clusters since JDK 20); this pins them. */
    @Test
    void theJdkSeesFlagsZwjSequencesAndAccentedLettersAsOneCharacter() {
        assertThat(graphemes(ITALY + ITALY)).isEqualTo(2);
        assertThat(graphemes(RAINBOW_FLAG)).isEqualTo(1);
        assertThat(graphemes("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66")).isEqualTo(1);
        assertThat(graphemes(E_WITH_THREE_ACUTES)).isEqualTo(1);
        assertThat(graphemes("\r\n")).isEqualTo(1);
    }

    static Arguments published(int number, String description, String text, Encoding encoding, int units,
            int segments) {
        String name = "P%d %s → %s %d".formatted(number, description, encoding, segments);
        return arguments(name, text, new Count(encoding, units, segments));
    }

    /** {@code n} digits cycling from 2: 2345678901 2345… */
    static String digitsFrom2(int n) {
        StringBuilder digits = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            digits.append((char) ('0' + (i + 2) % 10));
        }
        return digits.toString();
    }

    static int graphemes(String text) {
        BreakIterator clusters = BreakIterator.getCharacterInstance(Locale.ROOT);
        clusters.setText(text);
        int count = 0;
        while (clusters.next() != BreakIterator.DONE) {
            count++;
        }
        return count;
    }
}

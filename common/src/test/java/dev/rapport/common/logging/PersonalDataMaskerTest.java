package dev.rapport.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PersonalDataMaskerTest {

    private final PersonalDataMasker masker = new PersonalDataMasker("RU");

    @Test
    void masksEmailsKeepingOnlyFirstLettersAndTheTopLevelDomain() {
        assertThat(masker.mask("sent to ivan.petrov@example.com today"))
                .isEqualTo("sent to i***@e***.com today");
        assertThat(masker.mask("IVAN+promo@Mail.Example.RU")).isEqualTo("I***@M***.Example.RU");
    }

    @Test
    void masksInternationalisedEmailsInAnyScript() {
        assertThat(masker.mask("письмо для иван@пример.рф ушло")).isEqualTo("письмо для и***@п***.рф ушло");
        assertThat(masker.mask("user Müller.Jörg@bücher.example.de")).isEqualTo("user M***@b***.example.de");
        assertThat(masker.mask("to 用户@例子.广告")).isEqualTo("to 用***@例***.广告");
        assertThat(masker.mask("ivan@xn--e1afmkfd.xn--p1ai")).isEqualTo("i***@x***.xn--p1ai");
    }

    @Test
    void masksPhoneNumbersWrittenInAnyCommonWayKeepingTheLastTwoDigits() {
        assertThat(masker.mask("call +7 916 123-45-67 now")).isEqualTo("call +* *** ***-**-67 now");
        assertThat(masker.mask("call 8 (916) 123-45-67")).isEqualTo("call * (***) ***-**-67");
        assertThat(masker.mask("sms to +79161234567")).isEqualTo("sms to +*********67");
        assertThat(masker.mask("uk +44 20 7946 0958")).isEqualTo("uk +** ** **** **58");
    }

    @Test
    void leavesIdsTimesAndCountsAlone() {
        String line = "event evt-1001 of profile 123e4567-e89b-12d3-a456-426614174000 at 2026-11-20T10:15:00+03:00 "
                + "took 1234 ms, batch 500, port 5432";
        assertThat(masker.mask(line)).isSameAs(line);
    }

    @Test
    void leavesRandomIdsAndTimestampsAloneWhateverDigitsTheyHold() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            String id = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
            String line = "profile " + id + " evt-" + Math.abs(random.nextLong()) + " at "
                    + java.time.Instant.ofEpochMilli(Math.abs(random.nextLong() % 4_000_000_000_000L));
            assertThat(masker.mask(line)).as(line).isEqualTo(line);
        }
    }

    @Test
    void masksBearerTokensAndJwts() {
        assertThat(masker.mask("Authorization: Bearer abc.def-ghi_jkl")).isEqualTo("Authorization: Bearer ***");
        assertThat(masker.mask("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end"))
                .isEqualTo("token eyJ*** end");
    }

    @Test
    void handlesNullAndEmpty() {
        assertThat(masker.mask(null)).isNull();
        assertThat(masker.mask("")).isEmpty();
    }
}

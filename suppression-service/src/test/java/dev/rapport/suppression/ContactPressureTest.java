package dev.rapport.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rapport.common.vocabulary.Channel;

class ContactPressureTest {

    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    /** 01:30 in Moscow on 3 December is still 2 December in UTC: days are the person's. */
    static final Instant NOW = ZonedDateTime.of(2026, 12, 3, 1, 30, 0, 0, MOSCOW).toInstant();

    @Test
    void readsTheCapsOfTheChannelOverThePersonsCalendarDays() {
        ContactPressure.Check c = ContactPressure.check(Channel.SMS, Policy.defaults(), MOSCOW, NOW);
        assertThat(c.today()).isEqualTo(LocalDate.of(2026, 12, 3));
        assertThat(c.windows()).extracting(w -> w.cap().scope() + "/" + w.cap().days())
                .containsExactly("all/1", "all/7", "sms/7");
        assertThat(c.windows().get(0).fields()).containsExactly("all:2026-12-03");
        assertThat(c.windows().get(2).fields()).first().isEqualTo("sms:2026-11-27");
        assertThat(c.windows().get(2).fields()).last().isEqualTo("sms:2026-12-03");
        assertThat(c.increments()).containsExactly("all:2026-12-03", "sms:2026-12-03");
        assertThat(ContactPressure.check(Channel.EMAIL, Policy.defaults(), MOSCOW, NOW).windows()).hasSize(2);
    }

    @Test
    void reportsEachReachedCapWithTheDayItFreesAPlace() {
        ContactPressure.Check c = ContactPressure.check(Channel.SMS, Policy.defaults(), MOSCOW, NOW);
        List<Long> counts = new ArrayList<>();
        counts.add(1L); // all, 1 day: today 1 of 1
        // all, 7 days: one 5 days ago, one today: 2 of 3, not reached
        counts.addAll(List.of(0L, 1L, 0L, 0L, 0L, 0L, 1L));
        // sms, 7 days: one 5 days ago, one today: 2 of 2, reached until the older one leaves the window
        counts.addAll(List.of(0L, 1L, 0L, 0L, 0L, 0L, 1L));
        List<Reason> reasons = ContactPressure.reasons(c, counts);
        assertThat(reasons).extracting(Reason::rule).containsExactly(Rule.FREQUENCY_CAP, Rule.FREQUENCY_CAP);
        assertThat(reasons.get(0).until()).isEqualTo(ZonedDateTime.of(2026, 12, 4, 0, 0, 0, 0, MOSCOW).toInstant());
        assertThat(reasons.get(1).detail()).contains("2 sms marketing messages per 7 days");
        assertThat(reasons.get(1).until()).as("27 November leaves the window on 5 December")
                .isEqualTo(ZonedDateTime.of(2026, 12, 5, 0, 0, 0, 0, MOSCOW).toInstant());
    }

    @Test
    void nothingIsReportedBelowTheCapsAndACapOfZeroNeverLifts() {
        ContactPressure.Check c = ContactPressure.check(Channel.EMAIL, Policy.defaults(), MOSCOW, NOW);
        assertThat(ContactPressure.reasons(c, Collections.nCopies(c.fieldCount(), 0L))).isEmpty();
        Policy closed = new Policy(List.of(new Policy.Cap(Channel.PUSH, 0, 1)), Policy.defaults().quietHours(),
                Policy.defaults().purchasedPeriod(), Policy.defaults().declinedPeriod(),
                Policy.defaults().ticketGracePeriod(), MOSCOW, true);
        ContactPressure.Check push = ContactPressure.check(Channel.PUSH, closed, MOSCOW, NOW);
        List<Reason> reasons = ContactPressure.reasons(push, List.of(0L));
        assertThat(reasons).hasSize(1);
        assertThat(reasons.get(0).until()).isNull();
    }
}

package dev.rapport.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.vocabulary.Channel;

class PolicyTest {

    static Policy.Draft valid() {
        return Policy.defaults().toDraft();
    }

    static List<FieldError> errors(Policy.Draft d) {
        try {
            Policy.check(d);
        } catch (RapportException e) {
            return e.errors();
        }
        throw new AssertionError("expected the policy to be refused");
    }

    @Test
    void theDefaultsSurviveARoundTripThroughTheirWrittenForm() {
        Policy p = Policy.check(valid());
        assertThat(p).isEqualTo(Policy.defaults());
        assertThat(p.caps()).containsExactly(new Policy.Cap(null, 1, 1), new Policy.Cap(null, 3, 7),
                new Policy.Cap(Channel.SMS, 2, 7));
        assertThat(p.ticketGracePeriod()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void theReadmeShowsTheDefaultsAsGetAnswersThem() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int block = readme.indexOf("```json", readme.indexOf("## Policy"));
        assertThat(block).as("README.md shows the default policy in a json block under ## Policy").isPositive();
        String json = readme.substring(readme.indexOf('\n', block) + 1, readme.indexOf("```", block + 7));
        assertThat(new ObjectMapper().readValue(json, Policy.Draft.class)).isEqualTo(Policy.defaults().toDraft());
    }

    @Test
    void refusesNegativeAndUnreadablePeriodsNamingEachField() {
        Policy.Draft d = valid();
        Policy.Draft bad = new Policy.Draft(d.caps(), d.quietHours(), "-P1D", "thirty days", "P400D",
                "Mars/Olympus", null);
        assertThat(errors(bad)).extracting(FieldError::field).containsExactly("purchasedPeriod", "declinedPeriod",
                "ticketGracePeriod", "defaultTimezone", "consentRequired");
    }

    @Test
    void refusesNegativeCapsUnknownChannelsAndTwoCapsForOneWindow() {
        Policy.Draft d = valid();
        Policy.Draft bad = new Policy.Draft(List.of(new Policy.CapDraft(null, -1, 7),
                new Policy.CapDraft("fax", 1, 1), new Policy.CapDraft("sms", 2, 0), new Policy.CapDraft(null, 3, 7),
                new Policy.CapDraft("all", 4, 7)), d.quietHours(), d.purchasedPeriod(), d.declinedPeriod(),
                d.ticketGracePeriod(), d.defaultTimezone(), true);
        assertThat(errors(bad)).extracting(FieldError::field).containsExactly("caps[0].limit", "caps[1].channel",
                "caps[2].days", "caps[4]");
    }

    @Test
    void refusesAShorterWindowAllowingMoreThanALongerOneOnTheSameChannel() {
        Policy.Draft d = valid();
        Policy.Draft contradictory = new Policy.Draft(List.of(new Policy.CapDraft(null, 5, 1),
                new Policy.CapDraft(null, 3, 7), new Policy.CapDraft("sms", 9, 1)), d.quietHours(), d.purchasedPeriod(),
                d.declinedPeriod(), d.ticketGracePeriod(), d.defaultTimezone(), true);
        List<FieldError> errors = errors(contradictory);
        assertThat(errors).extracting(FieldError::field).containsExactly("caps[0]");
        assertThat(errors.get(0).message()).contains("contradicts caps[1]");
    }

    @Test
    void refusesQuietHoursWithoutLengthOrWithUnreadableTimes() {
        Policy.Draft d = valid();
        assertThat(errors(new Policy.Draft(d.caps(), new Policy.QuietHoursDraft("21:00", "21:00", List.of("sms")),
                d.purchasedPeriod(), d.declinedPeriod(), d.ticketGracePeriod(), d.defaultTimezone(), true)))
                .extracting(FieldError::field).containsExactly("quietHours.end");
        assertThat(errors(new Policy.Draft(d.caps(), new Policy.QuietHoursDraft("9pm", null, List.of("pager")),
                d.purchasedPeriod(), d.declinedPeriod(), d.ticketGracePeriod(), d.defaultTimezone(), true)))
                .extracting(FieldError::field)
                .containsExactly("quietHours.start", "quietHours.end", "quietHours.channels[0]");
    }

    @Test
    void refusesAPolicyWithFieldsMissing() {
        assertThatThrownBy(() -> Policy.check(new Policy.Draft(null, null, null, null, null, null, null)))
                .isInstanceOfSatisfying(RapportException.class, e -> assertThat(e.errors()).hasSize(7));
    }
}

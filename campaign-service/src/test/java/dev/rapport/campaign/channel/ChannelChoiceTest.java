package dev.rapport.campaign.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.rapport.campaign.channel.ChannelChoice.Choice;
import dev.rapport.campaign.channel.ChannelChoice.Offer;
import dev.rapport.campaign.channel.ChannelChoice.Person;

/** The channel for a person: detailed offers by email only; short ones where the person is most engaged, cheapest on a tie. */
class ChannelChoiceTest {

    private static final Set<String> ALL = Set.of("email", "sms", "push", "messenger");
    private static final Instant NOW = Instant.parse("2026-12-08T10:00:00Z");

    @Test
    void aDetailedOfferGoesOnlyByEmail() {
        assertThat(choose(new Offer(true, ALL, Set.of()), new Person(ALL, Map.of("sms", NOW))).channel())
                .contains("email");
        Choice none = choose(new Offer(true, ALL, Set.of()), new Person(Set.of("sms", "push"), Map.of()));
        assertThat(none.channel()).isEmpty();
        assertThat(none.reason()).contains("only by email", "does not reach");
    }

    @Test
    void aShortOfferGoesWhereThePersonWasLastActive() {
        Person person = new Person(ALL, Map.of("app", NOW.minusSeconds(86_400), "messenger", NOW.minusSeconds(3600),
                "sms", NOW.minusSeconds(7 * 86_400)));
        Choice c = choose(new Offer(false, ALL, Set.of()), person);
        assertThat(c.channel()).contains("messenger");
        assertThat(c.reason()).contains("last active");
        // app activity speaks for push
        assertThat(choose(new Offer(false, ALL, Set.of()), new Person(ALL, Map.of("app", NOW, "sms",
                NOW.minusSeconds(60)))).channel()).contains("push");
    }

    @Test
    void equallyEngagedTheCheapestGoesFirst() {
        assertThat(choose(new Offer(false, ALL, Set.of()), new Person(Set.of("sms", "messenger", "push"), Map.of()))
                .channel()).contains("push");
        assertThat(choose(new Offer(false, ALL, Set.of()), new Person(Set.of("sms", "messenger"), Map.of()))
                .channel()).contains("messenger");
    }

    @Test
    void theCampaignsChannelsAndTemplatesBoundTheChoiceAndEmailIsTheLastResort() {
        Person person = new Person(ALL, Map.of("messenger", NOW));
        assertThat(choose(new Offer(false, ALL, Set.of("sms", "email")), person).channel()).contains("sms");
        assertThat(choose(new Offer(false, Set.of("email", "push"), Set.of()), new Person(Set.of("email", "sms"),
                Map.of("sms", NOW))).channel()).as("no SMS template: email").contains("email");
        Choice none = choose(new Offer(false, Set.of("sms"), Set.of()), new Person(Set.of("email"), Map.of()));
        assertThat(none.channel()).isEmpty();
        assertThat(none.reason()).contains("has no template");
        assertThat(choose(new Offer(false, ALL, Set.of("voice")), person).channel()).as("never by voice").isEmpty();
    }

    private static Choice choose(Offer offer, Person person) {
        return ChannelChoice.choose(offer, person);
    }
}

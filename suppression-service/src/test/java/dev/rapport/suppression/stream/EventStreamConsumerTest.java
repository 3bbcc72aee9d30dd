package dev.rapport.suppression.stream;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.rest.Api.contact;
import static dev.rapport.suppression.rest.Api.decision;
import static dev.rapport.suppression.rest.Api.rules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.DeadLetters;
import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.stream.StreamLayout;
import dev.rapport.suppression.SuppressionFixtures;
import dev.rapport.suppression.rest.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The state is a function of the events, whatever order and however often they arrive: tested through the real
 * stream, consumer group and database.
 */
@QuarkusTest
class EventStreamConsumerTest {

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;
    @Inject
    AgroalDataSource db;
    @Inject
    DeadLetters deadLetters;

    EventStreamFixture stream;

    @BeforeEach
    void setUp() {
        stream = new EventStreamFixture(redis, consumer);
        Api.policy(Map.of("ticketGracePeriod", "PT0S"));
    }

    SuppressionFixtures.Event known(String p) {
        return event("logged_in", p, Instant.now().minus(Duration.ofDays(5))).channel("web").id("email", p + "@example.com")
                .id("phone", "+79161234567");
    }

    SuppressionFixtures.Event optIn(String p) {
        return event("subscribed", p, Instant.now().minus(Duration.ofDays(5))).prop("channel", "all");
    }

    @Test
    void aResolutionDeliveredBeforeItsOpeningLeavesNoPauseBehind() {
        String p = profileId();
        Instant opened = Instant.now().minus(Duration.ofHours(3));
        stream.publish(known(p), optIn(p),
                event("ticket_resolved", p, opened.plus(Duration.ofHours(1))).prop("ticketId", "T-1"),
                event("ticket_opened", p, opened).prop("ticketId", "T-1"));
        assertThat(rules(contact(p, "email", "marketing"))).isEmpty();
    }

    @Test
    void aResolutionAppliedBeforeItsOpeningArrivesLeavesNoPauseBehind() {
        String p = profileId();
        Instant opened = Instant.now().minus(Duration.ofHours(3));
        stream.publish(known(p), optIn(p), event("ticket_resolved", p, opened.plus(Duration.ofHours(1)))
                .prop("ticketId", "T-1"));
        assertThat(rules(contact(p, "email", "marketing"))).isEmpty();
        // the opening comes in a later run, after the resolution was written
        stream.publish(event("ticket_opened", p, opened).prop("ticketId", "T-1"));
        assertThat(rules(contact(p, "email", "marketing"))).isEmpty();
    }

    @Test
    void marketingStaysPausedUntilTheLastOpenTicketIsResolved() {
        String p = profileId();
        Instant t = Instant.now().minus(Duration.ofHours(3));
        stream.publish(known(p), optIn(p), event("ticket_opened", p, t).prop("ticketId", "T-a"),
                event("ticket_opened", p, t.plus(Duration.ofMinutes(10))).prop("ticketId", "T-b"));
        stream.publish(event("ticket_resolved", p, t.plus(Duration.ofHours(1))).prop("ticketId", "T-a"));
        assertThat(rules(contact(p, "sms", "marketing"))).as("T-b is still open").containsExactly("open_ticket");
        stream.publish(event("ticket_resolved", p, t.plus(Duration.ofHours(2))).prop("ticketId", "T-b"));
        assertThat(rules(contact(p, "sms", "marketing"))).isEmpty();
    }

    @Test
    void anOpeningAndItsResolutionInOrderEndTheSame() {
        String p = profileId();
        Instant opened = Instant.now().minus(Duration.ofHours(3));
        stream.publish(known(p), optIn(p), event("ticket_opened", p, opened).prop("ticketId", "T-1"));
        assertThat(rules(contact(p, "email", "marketing"))).containsExactly("open_ticket");
        stream.publish(event("ticket_resolved", p, opened.plus(Duration.ofHours(1))).prop("ticketId", "T-1"));
        assertThat(rules(contact(p, "email", "marketing"))).isEmpty();
    }

    @Test
    void aRedeliveredEventChangesNothing() throws SQLException {
        String p = profileId();
        var unsubscribe = event("unsubscribed", p, Instant.now().minus(Duration.ofHours(1))).channel("sms");
        stream.publish(known(p), optIn(p), unsubscribe, unsubscribe, unsubscribe);
        assertThat(rules(contact(p, "sms", "marketing"))).containsExactly("opted_out");
        assertThat(count("SELECT count(*) FROM consent_history WHERE profile_id = ?", p)).as("kept once").isEqualTo(2);
        // a later opt-in, then the old opt-out delivered again: the latest by time still wins
        stream.publish(event("subscribed", p, Instant.now().minus(Duration.ofMinutes(1))).channel("sms"));
        stream.publish(unsubscribe);
        assertThat(rules(contact(p, "sms", "marketing"))).isEmpty();
    }

    @Test
    void aMergeMovesTheMergedProfilesStateToTheSurvivor() {
        String survivor = profileId();
        String merged = profileId();
        stream.publish(known(survivor), optIn(survivor), known(merged),
                event("ticket_opened", merged, Instant.now().minus(Duration.ofHours(1))).prop("ticketId", "T-m"),
                event("order_placed", merged, Instant.now().minus(Duration.ofHours(2))).prop("orderId", "O-m")
                        .prop("productId", "hoop-42"));
        assertThat(rules(contact(survivor, "email", "marketing"))).isEmpty();

        stream.publish(event("profile_merged", survivor, Instant.now()).prop("survivorId", survivor)
                .prop("mergedId", merged));
        Map<String, Object> promo = contact(survivor, "email", "marketing");
        promo.put("productIds", List.of("hoop-42"));
        assertThat(rules(promo)).containsExactly("open_ticket", "purchased");
        JsonPath byOldId = decision(contact(merged, "email", "marketing"));
        assertThat(byOldId.getString("profileId")).as("a merged-away id decides for the survivor").isEqualTo(survivor);
        assertThat(byOldId.getList("reasons.rule", String.class)).containsExactly("open_ticket");

        // a late event of the merged id lands on the survivor
        stream.publish(event("ticket_resolved", merged, Instant.now().minus(Duration.ofMinutes(1))).prop("ticketId", "T-m"));
        assertThat(rules(contact(survivor, "email", "marketing"))).isEmpty();
        // and the merge delivered again changes nothing
        stream.publish(event("profile_merged", survivor, Instant.now()).prop("survivorId", survivor)
                .prop("mergedId", merged));
        assertThat(rules(promo)).containsExactly("purchased");
    }

    @Test
    void anErasureDropsEverythingHeldAndLaterEventsAreIgnored() throws SQLException {
        String p = profileId();
        stream.publish(known(p), optIn(p), event("ticket_opened", p, Instant.now()).prop("ticketId", "T-e"));
        Map<String, Object> commit = contact(p, "sms", "transactional");
        commit.put("commit", true);
        decision(commit);
        assertThat(count("SELECT count(*) FROM decision_audit WHERE profile_id = ?", p)).isEqualTo(1);

        stream.publish(event("profile_erased", p, Instant.now()).prop("profileId", p).prop("mergedIds", List.of()));
        for (String purpose : List.of("marketing", "service", "transactional")) {
            assertThat(rules(contact(p, "email", purpose))).containsExactly("erased");
        }
        for (String table : List.of("address", "ticket", "consent", "consent_history", "decision_audit")) {
            assertThat(count("SELECT count(*) FROM " + table + " WHERE profile_id = ?", p)).as(table).isZero();
        }
        stream.publish(known(p));
        assertThat(count("SELECT count(*) FROM address WHERE profile_id = ?", p)).as("ignored after erasure").isZero();
        Api.get("agent", "/api/v1/profiles/" + p + "/suppressions").statusCode(200)
                .body("items[0].rule", equalTo("erased"));
    }

    @Test
    void anErasureNamingMergedIdsErasesThemTooEvenOnesNeverSeenHere() throws SQLException {
        String survivor = profileId();
        String merged = profileId();
        String unseen = profileId();
        stream.publish(known(survivor), optIn(survivor), known(merged),
                event("ticket_opened", merged, Instant.now().minus(Duration.ofHours(1))).prop("ticketId", "T-x"));
        stream.publish(event("profile_merged", survivor, Instant.now()).prop("survivorId", survivor)
                .prop("mergedId", merged));
        assertThat(rules(contact(survivor, "email", "marketing"))).containsExactly("open_ticket");

        stream.publish(event("profile_erased", survivor, Instant.now()).prop("profileId", survivor)
                .prop("mergedIds", List.of(merged, unseen)));
        for (String id : List.of(survivor, merged, unseen)) {
            assertThat(rules(contact(id, "email", "transactional"))).as(id).containsExactly("erased");
        }
        assertThat(count("SELECT count(*) FROM ticket WHERE profile_id = ?", survivor)).isZero();
        // late events of any of the ids leave nothing behind
        stream.publish(known(merged), known(unseen),
                event("ticket_opened", unseen, Instant.now()).prop("ticketId", "T-late"));
        for (String id : List.of(merged, unseen)) {
            assertThat(count("SELECT count(*) FROM address WHERE profile_id = ?", id)).as(id).isZero();
            assertThat(count("SELECT count(*) FROM ticket WHERE profile_id = ?", id)).as(id).isZero();
        }
    }

    @Test
    void entriesThatAreNotEventsAreSetAsideWithTheirReasonAndTheStreamGoesOn() {
        String p = profileId();
        int partition = Math.floorMod(p.hashCode(), 16);
        stream.publishRaw(partition, StreamLayout.FIELD, "{not json " + p);
        stream.publishRaw(partition, "other", "field " + p);
        stream.publish(known(p));
        assertThat(rules(contact(p, "email", "transactional"))).isEmpty();
        List<Map<String, Object>> letters = deadLetters();
        assertThat(letters).filteredOn(l -> String.valueOf(l.get("document")).contains(p)).singleElement()
                .satisfies(l -> assertThat((String) l.get("reason")).startsWith("not a CloudEvent of an event"));
        assertThat(letters).filteredOn(l -> String.valueOf(l.get("reason")).startsWith("not an event entry"))
                .isNotEmpty();
    }

    @Test
    void anEventTheDatabaseRefusesIsSetAsideAsADeadLetterAndTheOthersOfItsRunApplied() {
        String p = profileId();
        SuppressionFixtures.Event poison = event("ticket_opened", p, Instant.now().minus(Duration.ofMinutes(5)))
                .prop("ticketId", "T-\u0000-nul");
        stream.publish(known(p), optIn(p), poison,
                event("order_placed", p, Instant.now().minus(Duration.ofMinutes(4))).prop("orderId", "O-after")
                        .prop("productId", "hoop-42"));
        Map<String, Object> promo = contact(p, "email", "marketing");
        promo.put("productIds", List.of("hoop-42"));
        assertThat(rules(promo)).as("the order after the refused ticket is applied").containsExactly("purchased");
        Map<String, Object> letter = deadLetters().stream().filter(l -> poison.id().equals(l.get("eventId")))
                .findFirst().orElseThrow(() -> new AssertionError("the refused event is not among the dead letters"));
        assertThat(letter.get("profileId")).isEqualTo(p);
        assertThat((String) letter.get("reason")).startsWith("cannot be applied");
        assertThat((String) letter.get("stream")).isEqualTo(stream.streamOf(p));
        // it cannot be applied again either: replaying it leaves it where it is, with the reason
        Api.post("admin", "/api/v1/stream/dead-letters/" + letter.get("id") + "/replay", null).statusCode(422)
                .body("reason", equalTo("still_not_applicable"));
        Api.delete("admin", "/api/v1/stream/dead-letters/" + letter.get("id")).statusCode(204);
        Api.delete("admin", "/api/v1/stream/dead-letters/" + letter.get("id")).statusCode(404);
    }

    @Test
    void aDeadLetterReplayedOnceItsCauseIsGoneIsAppliedAndRemoved() {
        String p = profileId();
        stream.publish(known(p), optIn(p));
        SuppressionFixtures.Event optOut = event("unsubscribed", p, Instant.now().minus(Duration.ofMinutes(1)))
                .channel("sms");
        String id = deadLetters.add(consumer.group(), stream.streamOf(p), "0-1", optOut.id(), p, optOut.json(),
                "cannot be applied: the database refused it then").await().indefinitely();
        assertThat(rules(contact(p, "sms", "marketing"))).isEmpty();
        Api.post("admin", "/api/v1/stream/dead-letters/" + id + "/replay", null).statusCode(204);
        assertThat(rules(contact(p, "sms", "marketing"))).containsExactly("opted_out");
        Api.post("admin", "/api/v1/stream/dead-letters/" + id + "/replay", null).statusCode(404)
                .body("reason", equalTo("dead_letter_not_found"));
        Api.post("admin", "/api/v1/stream/dead-letters/not-an-id/replay", null).statusCode(400);
        Api.get("admin", "/api/v1/stream/dead-letters?limit=0").statusCode(400);
    }

    @Test
    void anErasureRemovesTheDeadLettersAboutThePerson() {
        String p = profileId();
        stream.publish(known(p),
                event("ticket_opened", p, Instant.now().minus(Duration.ofMinutes(5))).prop("ticketId", "T-\u0000"));
        assertThat(deadLetters()).anyMatch(l -> p.equals(l.get("profileId")));
        stream.publish(event("profile_erased", p, Instant.now()).prop("profileId", p).prop("mergedIds", List.of()));
        assertThat(deadLetters()).noneMatch(l -> p.equals(l.get("profileId")));
    }

    @Test
    void anUnsubscribeFromAPreferencePageOptsOutOfAllMarketingOrOfTheTopicItNames() {
        String p = profileId();
        stream.publish(known(p), optIn(p),
                event("unsubscribed", p, Instant.now().minus(Duration.ofMinutes(5))).channel("web"));
        for (String channel : List.of("email", "sms", "push", "messenger")) {
            assertThat(rules(contact(p, channel, "marketing"))).as(channel).contains("opted_out");
        }
        assertThat(rules(contact(p, "email", "service"))).as("service messages still go").isEmpty();

        String q = profileId();
        stream.publish(known(q), optIn(q),
                event("unsubscribed", q, Instant.now().minus(Duration.ofMinutes(5))).channel("app")
                        .prop("topic", "promo"));
        Map<String, Object> promo = contact(q, "sms", "marketing");
        promo.put("topic", "promo");
        assertThat(rules(promo)).containsExactly("opted_out");
        Map<String, Object> news = contact(q, "email", "marketing");
        news.put("topic", "news");
        assertThat(rules(news)).as("another topic still goes").isEmpty();

        String r = profileId();
        stream.publish(known(r), optIn(r),
                event("unsubscribed", r, Instant.now().minus(Duration.ofMinutes(5))).channel("email"));
        assertThat(rules(contact(r, "email", "marketing"))).containsExactly("opted_out");
        assertThat(rules(contact(r, "sms", "marketing"))).as("an email unsubscribe is about email").isEmpty();
    }

    /**
     * A merge travels on the survivor's partition and the merged id's events on their own, so they arrive in any
     * order; merges of ids this service never saw leave pointers, and a chain A into B into C comes out the same
     * whatever the order of its merges and of A's facts.
     */
    @Test
    void mergeChainsOfIdsNeverSeenComeOutTheSameInEveryOrderOfArrival() {
        List<List<Integer>> orders = List.of(List.of(0, 1, 2), List.of(0, 2, 1), List.of(1, 0, 2), List.of(1, 2, 0),
                List.of(2, 0, 1), List.of(2, 1, 0));
        for (List<Integer> order : orders) {
            String a = profileId();
            String b = profileId();
            String c = profileId();
            stream.publish(known(c), optIn(c));
            List<SuppressionFixtures.Event> steps = List.of(
                    event("profile_merged", b, Instant.now()).prop("survivorId", b).prop("mergedId", a),
                    event("profile_merged", c, Instant.now()).prop("survivorId", c).prop("mergedId", b),
                    event("unsubscribed", a, Instant.now().minus(Duration.ofMinutes(1))).channel("sms"));
            for (int step : order) {
                stream.publish(steps.get(step)); // each on its own partition, applied before the next arrives
            }
            assertThat(rules(contact(c, "sms", "marketing"))).as("order %s", order).containsExactly("opted_out");
            for (String id : List.of(a, b)) {
                assertThat(decision(contact(id, "sms", "marketing")).getString("profileId")).as("order %s", order)
                        .isEqualTo(c);
            }
            // a later fact of the first id still reaches the end of the chain
            stream.publish(event("ticket_opened", a, Instant.now().minus(Duration.ofMinutes(1)))
                    .prop("ticketId", "T-a"));
            assertThat(rules(contact(c, "email", "marketing"))).as("order %s", order).containsExactly("open_ticket");
        }
    }

    @Test
    void anErasureThatCannotBeAppliedStaysAsADeadLetterInsteadOfErasingItsOwnTrace() {
        String p = profileId();
        stream.publish(known(p));
        SuppressionFixtures.Event erasure = event("profile_erased", p, Instant.now()).prop("profileId", p)
                .prop("mergedIds", List.of("m-\u0000"));
        stream.publish(erasure);
        assertThat(deadLetters()).as("the erasure the database refused waits for an operator")
                .anyMatch(l -> erasure.id().equals(l.get("eventId")));
    }

    @Test
    void aSignUpOnTheWebSiteGivesNoConsentToBeContactedBySmsOrPush() {
        String p = profileId();
        stream.publish(known(p), event("subscribed", p, Instant.now().minus(Duration.ofMinutes(5))).channel("web"));
        for (String channel : List.of("sms", "push", "email")) {
            assertThat(rules(contact(p, channel, "marketing"))).as(channel).contains("no_consent");
        }
    }

    /** Every dead letter of this service, through the operators' API. */
    private List<Map<String, Object>> deadLetters() {
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = Api.get("admin", "/api/v1/stream/dead-letters?limit=500"
                    + (cursor == null ? "" : "&cursor=" + cursor)).statusCode(200).extract().jsonPath();
            all.addAll(page.getList("items"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        return all;
    }

    @Test
    void bouncesUnregisteredTokensAndBlockedBotsMakeAChannelUnreachable() {
        String p = profileId();
        stream.publish(known(p).id("pushToken", "tok-1").id("telegramId", "777"),
                event("message_bounced", p, Instant.now()).channel("email").id("email", p + "@example.com")
                        .prop("bounce", "hard"),
                event("message_failed", p, Instant.now()).channel("push").prop("error", "UNREGISTERED"),
                event("message_failed", p, Instant.now()).channel("messenger").id("telegramId", "777")
                        .prop("reason", "bot_blocked"));
        for (String channel : List.of("email", "push", "messenger")) {
            assertThat(rules(contact(p, channel, "transactional"))).as(channel).containsExactly("unreachable");
        }
        assertThat(rules(contact(p, "sms", "transactional"))).isEmpty();
        // a new email address makes email reachable again
        stream.publish(event("logged_in", p, Instant.now()).id("email", "new-" + p + "@example.com"));
        assertThat(rules(contact(p, "email", "transactional"))).isEmpty();
    }

    @Test
    void aFailureNamingNoAddressSparesAddressesFirstSeenAfterIt() {
        String p = profileId();
        Instant failed = Instant.now().minus(Duration.ofHours(1));
        // a new push token registered after an old, unnamed one failed; the failure is delivered last
        stream.publish(known(p).id("pushToken", "tok-old"),
                event("logged_in", p, Instant.now()).channel("app").id("pushToken", "tok-new"));
        stream.publish(event("message_failed", p, failed).channel("push").prop("error", "UNREGISTERED"));
        assertThat(rules(contact(p, "push", "transactional"))).as("tok-new is not the one that failed").isEmpty();
        // the same failure, once the only token is one seen before it, leaves no address to reach
        String q = profileId();
        stream.publish(known(q).id("pushToken", "tok-old"));
        stream.publish(event("message_failed", q, failed).channel("push").prop("error", "UNREGISTERED"));
        assertThat(rules(contact(q, "push", "transactional"))).containsExactly("unreachable");
        // and so does it when the failure is delivered before the sighting of the token it was about
        String r = profileId();
        stream.publish(event("message_failed", r, failed).channel("push").prop("error", "UNREGISTERED"));
        stream.publish(known(r).id("pushToken", "tok-old"));
        assertThat(rules(contact(r, "push", "transactional"))).containsExactly("unreachable");
    }

    @Test
    void aMergedProfilesFailureWithoutAnAddressDoesNotReachTheSurvivorsAddresses() {
        String survivor = profileId();
        String merged = profileId();
        stream.publish(known(survivor).id("pushToken", "tok-s"), known(merged).id("pushToken", "tok-m"),
                event("message_failed", merged, Instant.now().minus(Duration.ofHours(1))).channel("push")
                        .prop("error", "UNREGISTERED"));
        assertThat(rules(contact(merged, "push", "transactional"))).containsExactly("unreachable");
        stream.publish(event("profile_merged", survivor, Instant.now()).prop("survivorId", survivor)
                .prop("mergedId", merged));
        // tok-m moved over with its status; a later sighting of the survivor leaves tok-s as it was
        stream.publish(event("logged_in", survivor, Instant.now()).channel("app").id("pushToken", "tok-s"));
        assertThat(rules(contact(survivor, "push", "transactional"))).isEmpty();
    }

    private long count(String sql, String profileId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, profileId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}

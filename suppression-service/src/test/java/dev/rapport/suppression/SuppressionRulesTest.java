package dev.rapport.suppression;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.marketing;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static dev.rapport.suppression.SuppressionFixtures.request;
import static dev.rapport.suppression.SuppressionFixtures.state;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;

class SuppressionRulesTest {

    /** Noon in Moscow: no quiet hours. */
    static final Instant NOW = ZonedDateTime.of(2026, 12, 3, 12, 0, 0, 0, ZoneId.of("Europe/Moscow")).toInstant();
    static final Policy POLICY = Policy.defaults();

    final String p = profileId();
    final List<SuppressionFixtures.Event> events = new ArrayList<>();

    /** A reachable, subscribed person: email and phone known, opted in to every channel. */
    void reachableAndSubscribed() {
        events.add(event("logged_in", p, NOW.minus(Duration.ofDays(30))).channel("web").id("email", "a@example.com")
                .id("phone", "+79161234567").trait("timezone", "Europe/Moscow"));
        events.add(event("subscribed", p, NOW.minus(Duration.ofDays(30))).prop("channel", "all").prop("source", "form"));
    }

    List<Rule> rules(ContactRequest r) {
        return SuppressionRules.evaluate(r, state(p, events), POLICY, NOW).stream().map(Reason::rule).toList();
    }

    @Test
    void allowsMarketingToAReachableSubscribedPersonWithNothingAgainstIt() {
        reachableAndSubscribed();
        assertThat(rules(marketing(p, Channel.EMAIL, "hoop-42"))).isEmpty();
        assertThat(Verdict.of(p, List.of()).decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void deniesAnUnknownProfileAsUnreachableForEveryPurpose() {
        for (Purpose purpose : Purpose.values()) {
            assertThat(rules(request(p, Channel.EMAIL, purpose))).containsExactly(Rule.UNREACHABLE);
        }
    }

    @Test
    void deniesAChannelWithoutAddressAndOneWhoseOnlyAddressHardBounced() {
        reachableAndSubscribed();
        assertThat(rules(request(p, Channel.PUSH, Purpose.TRANSACTIONAL))).containsExactly(Rule.UNREACHABLE);
        var bounce = event("message_bounced", p, NOW.minus(Duration.ofDays(1))).channel("email")
                .id("email", "a@example.com").prop("bounce", "hard");
        events.add(bounce);
        List<Reason> reasons = SuppressionRules.evaluate(request(p, Channel.EMAIL, Purpose.TRANSACTIONAL),
                state(p, events), POLICY, NOW);
        assertThat(reasons).extracting(Reason::rule).containsExactly(Rule.UNREACHABLE);
        assertThat(reasons.get(0).sourceEventId()).isEqualTo(bounce.id());
        assertThat(rules(request(p, Channel.SMS, Purpose.TRANSACTIONAL))).as("the phone still works").isEmpty();
    }

    @Test
    void aSoftBounceLeavesTheAddressUsable() {
        reachableAndSubscribed();
        events.add(event("message_bounced", p, NOW).channel("email").id("email", "a@example.com").prop("bounce", "soft"));
        assertThat(rules(request(p, Channel.EMAIL, Purpose.TRANSACTIONAL))).isEmpty();
    }

    @Test
    void marketingNeedsAnOptInButServiceAndTransactionalDoNot() {
        events.add(event("logged_in", p, NOW.minus(Duration.ofDays(3))).channel("web").id("email", "a@example.com"));
        assertThat(rules(marketing(p, Channel.EMAIL))).containsExactly(Rule.NO_CONSENT);
        assertThat(rules(request(p, Channel.EMAIL, Purpose.SERVICE))).isEmpty();
        assertThat(rules(request(p, Channel.EMAIL, Purpose.TRANSACTIONAL))).isEmpty();
        events.add(event("subscribed", p, NOW.minus(Duration.ofDays(2))).channel("email"));
        assertThat(rules(marketing(p, Channel.EMAIL))).isEmpty();
        assertThat(rules(marketing(p, Channel.SMS))).as("an email opt-in says nothing of SMS")
                .containsExactly(Rule.UNREACHABLE, Rule.NO_CONSENT);
    }

    @Test
    void anSmsStopOptsOutOfSmsMarketingAndServiceButNotTransactional() {
        reachableAndSubscribed();
        events.add(event("inbound_message", p, NOW.minus(Duration.ofHours(1))).channel("sms").id("phone", "+79161234567")
                .prop("text", " stop "));
        assertThat(rules(marketing(p, Channel.SMS))).containsExactly(Rule.OPTED_OUT);
        assertThat(rules(request(p, Channel.SMS, Purpose.SERVICE))).containsExactly(Rule.OPTED_OUT);
        assertThat(rules(request(p, Channel.SMS, Purpose.TRANSACTIONAL))).isEmpty();
        assertThat(rules(marketing(p, Channel.EMAIL))).isEmpty();
        events.add(event("inbound_message", p, NOW.minus(Duration.ofMinutes(1))).channel("sms").prop("text", "START"));
        assertThat(rules(marketing(p, Channel.SMS))).as("START opts back in").isEmpty();
    }

    @Test
    void aTopicOptOutHoldsBackThatTopicOnlyAndAGlobalOptOutEverything() {
        reachableAndSubscribed();
        events.add(event("unsubscribed", p, NOW.minus(Duration.ofHours(2))).channel("email").prop("topic", "promo"));
        ContactRequest promo = new ContactRequest(p, Channel.EMAIL, Purpose.MARKETING, null, List.of(), List.of(),
                "promo", false);
        ContactRequest news = new ContactRequest(p, Channel.EMAIL, Purpose.MARKETING, null, List.of(), List.of(),
                "news", false);
        assertThat(rules(promo)).containsExactly(Rule.OPTED_OUT);
        assertThat(rules(news)).isEmpty();
        events.add(event("unsubscribed", p, NOW.minus(Duration.ofHours(1))).prop("source", "preference centre"));
        assertThat(rules(news)).as("the global opt-out replaced the global opt-in").containsExactly(Rule.OPTED_OUT,
                Rule.NO_CONSENT);
        assertThat(rules(marketing(p, Channel.PUSH))).contains(Rule.OPTED_OUT);
        assertThat(rules(request(p, Channel.EMAIL, Purpose.SERVICE))).as("a global opt-out is about marketing")
                .isEmpty();
    }

    @Test
    void theLatestConsentStatementWinsWhateverOrderItArrivesIn() {
        reachableAndSubscribed();
        events.add(event("subscribed", p, NOW.minus(Duration.ofHours(1))).channel("sms"));
        events.add(event("unsubscribed", p, NOW.minus(Duration.ofHours(2))).channel("sms"));
        assertThat(rules(marketing(p, Channel.SMS))).isEmpty();
    }

    @Test
    void anOpenTicketPausesAllMarketingButNotServiceUntilItIsResolvedPlusGrace() {
        reachableAndSubscribed();
        var opened = event("ticket_opened", p, NOW.minus(Duration.ofHours(5))).channel("service_desk")
                .prop("ticketId", "T-1");
        events.add(opened);
        for (Channel c : List.of(Channel.EMAIL, Channel.SMS, Channel.WEB)) {
            assertThat(rules(marketing(p, c))).containsExactly(Rule.OPEN_TICKET);
        }
        assertThat(rules(request(p, Channel.EMAIL, Purpose.SERVICE))).isEmpty();
        List<Reason> open = SuppressionRules.evaluate(marketing(p, Channel.EMAIL), state(p, events), POLICY, NOW);
        assertThat(open.get(0).sourceEventId()).isEqualTo(opened.id());
        assertThat(open.get(0).until()).as("lifts when resolved, not at a known time").isNull();

        Instant resolvedAt = NOW.minus(Duration.ofHours(1));
        events.add(event("ticket_resolved", p, resolvedAt).prop("ticketId", "T-1"));
        List<Reason> grace = SuppressionRules.evaluate(marketing(p, Channel.EMAIL), state(p, events), POLICY, NOW);
        assertThat(grace).extracting(Reason::rule).containsExactly(Rule.OPEN_TICKET);
        assertThat(grace.get(0).until()).isEqualTo(resolvedAt.plus(POLICY.ticketGracePeriod()));
        assertThat(SuppressionRules.evaluate(marketing(p, Channel.EMAIL), state(p, events), POLICY,
                resolvedAt.plus(POLICY.ticketGracePeriod()).plusSeconds(1))).as("resumes by itself").isEmpty();
    }

    @Test
    void aResolutionThatArrivesBeforeItsOpeningLeavesTheSameStateAsInOrder() {
        reachableAndSubscribed();
        Instant opened = NOW.minus(Duration.ofDays(3));
        Instant resolved = NOW.minus(Duration.ofDays(2));
        events.add(event("ticket_resolved", p, resolved).prop("ticketId", "T-9"));
        events.add(event("ticket_opened", p, opened).prop("ticketId", "T-9"));
        assertThat(rules(marketing(p, Channel.EMAIL))).as("no ticket left open").isEmpty();
        assertThat(state(p, events).tickets().get(0).open()).isFalse();
    }

    @Test
    void aReopenedTicketPausesAgain() {
        reachableAndSubscribed();
        events.add(event("ticket_opened", p, NOW.minus(Duration.ofDays(4))).prop("ticketId", "T-2"));
        events.add(event("ticket_resolved", p, NOW.minus(Duration.ofDays(3))).prop("ticketId", "T-2"));
        events.add(event("ticket_updated", p, NOW.minus(Duration.ofDays(1))).prop("ticketId", "T-2")
                .prop("status", "reopened"));
        assertThat(rules(marketing(p, Channel.EMAIL))).containsExactly(Rule.OPEN_TICKET);
    }

    @Test
    void aPendingOrderHoldsBackItsProductsAndCategoriesUntilCancelled() {
        reachableAndSubscribed();
        Instant placed = NOW.minus(Duration.ofDays(2));
        events.add(event("order_placed", p, placed).channel("web").prop("orderId", "O-1")
                .prop("productIds", List.of("hoop-42", "ball-7")).prop("category", "basketball"));
        List<Reason> reasons = SuppressionRules.evaluate(marketing(p, Channel.EMAIL, "ball-7", "shoe-1"),
                state(p, events), POLICY, NOW);
        assertThat(reasons).extracting(Reason::rule).containsExactly(Rule.PURCHASED);
        assertThat(reasons.get(0).detail()).contains("ball-7").contains("O-1").contains("pending");
        assertThat(reasons.get(0).until()).isEqualTo(placed.plus(POLICY.purchasedPeriod()));
        ContactRequest category = new ContactRequest(p, Channel.EMAIL, Purpose.MARKETING, null, List.of(),
                List.of("basketball"), null, false);
        assertThat(rules(category)).containsExactly(Rule.PURCHASED);
        assertThat(rules(marketing(p, Channel.EMAIL, "shoe-1"))).isEmpty();
        assertThat(rules(request(p, Channel.EMAIL, Purpose.SERVICE))).isEmpty();

        events.add(event("order_status_changed", p, NOW.minus(Duration.ofDays(1))).prop("orderId", "O-1")
                .prop("status", "cancelled"));
        assertThat(rules(marketing(p, Channel.EMAIL, "ball-7"))).as("a cancelled order lifts it").isEmpty();
    }

    @Test
    void aCancellationThatArrivesBeforeItsOrderStillLiftsIt() {
        reachableAndSubscribed();
        events.add(event("order_status_changed", p, NOW.minus(Duration.ofHours(1))).prop("orderId", "O-2")
                .prop("status", "cancelled"));
        events.add(event("order_placed", p, NOW.minus(Duration.ofHours(3))).prop("orderId", "O-2")
                .prop("productId", "hoop-42"));
        assertThat(rules(marketing(p, Channel.EMAIL, "hoop-42"))).isEmpty();
    }

    @Test
    void anOrderOlderThanThePurchasedPeriodNoLongerHoldsBack() {
        reachableAndSubscribed();
        events.add(event("order_placed", p, NOW.minus(POLICY.purchasedPeriod()).minusSeconds(1)).prop("orderId", "O-3")
                .prop("productId", "hoop-42"));
        assertThat(rules(marketing(p, Channel.EMAIL, "hoop-42"))).isEmpty();
    }

    @Test
    void aDeclinedOfferIsNotPromotedUntilAcceptedOrThePeriodEnds() {
        reachableAndSubscribed();
        Instant declined = NOW.minus(Duration.ofDays(1));
        events.add(event("offer_declined", p, declined).channel("call_center").prop("productId", "hoop-42"));
        List<Reason> reasons = SuppressionRules.evaluate(marketing(p, Channel.SMS, "hoop-42"), state(p, events), POLICY,
                NOW);
        assertThat(reasons).extracting(Reason::rule).containsExactly(Rule.DECLINED);
        assertThat(reasons.get(0).until()).isEqualTo(declined.plus(POLICY.declinedPeriod()));
        events.add(event("offer_accepted", p, NOW.minus(Duration.ofHours(1))).prop("productId", "hoop-42"));
        assertThat(rules(marketing(p, Channel.SMS, "hoop-42"))).isEmpty();
    }

    @Test
    void listsEveryReasonThatAppliesNotOnlyTheFirst() {
        reachableAndSubscribed();
        events.add(event("ticket_opened", p, NOW.minus(Duration.ofHours(1))).prop("ticketId", "T-3"));
        events.add(event("order_placed", p, NOW.minus(Duration.ofHours(2))).prop("orderId", "O-4")
                .prop("productId", "hoop-42"));
        events.add(event("offer_declined", p, NOW.minus(Duration.ofHours(3))).prop("productId", "hoop-42"));
        events.add(event("unsubscribed", p, NOW.minus(Duration.ofHours(4))).channel("sms"));
        Instant night = ZonedDateTime.of(2026, 12, 3, 23, 30, 0, 0, ZoneId.of("Europe/Moscow")).toInstant();
        List<Rule> all = SuppressionRules.evaluate(marketing(p, Channel.SMS, "hoop-42"), state(p, events), POLICY,
                night).stream().map(Reason::rule).toList();
        assertThat(all).containsExactly(Rule.OPTED_OUT, Rule.OPEN_TICKET, Rule.PURCHASED, Rule.DECLINED,
                Rule.QUIET_HOURS);
    }

    @Test
    void defersSmsAtNightToNineInThePersonsTimeZoneButSendsTransactionalAtOnce() {
        reachableAndSubscribed();
        events.add(event("logged_in", p, NOW.minus(Duration.ofDays(1))).trait("timezone", "Asia/Vladivostok"));
        ZoneId vladivostok = ZoneId.of("Asia/Vladivostok");
        Instant lateEvening = ZonedDateTime.of(2026, 12, 3, 22, 15, 0, 0, vladivostok).toInstant();
        List<Reason> reasons = SuppressionRules.evaluate(marketing(p, Channel.SMS), state(p, events), POLICY,
                lateEvening);
        assertThat(reasons).extracting(Reason::rule).containsExactly(Rule.QUIET_HOURS);
        Verdict v = Verdict.of(p, reasons);
        assertThat(v.decision()).isEqualTo(Decision.DEFER);
        assertThat(v.retryAt()).isEqualTo(ZonedDateTime.of(2026, 12, 4, 9, 0, 0, 0, vladivostok).toInstant());
        assertThat(SuppressionRules.evaluate(request(p, Channel.SMS, Purpose.SERVICE), state(p, events), POLICY,
                lateEvening)).extracting(Reason::rule).containsExactly(Rule.QUIET_HOURS);
        assertThat(SuppressionRules.evaluate(request(p, Channel.SMS, Purpose.TRANSACTIONAL), state(p, events), POLICY,
                lateEvening)).isEmpty();
        assertThat(SuppressionRules.evaluate(marketing(p, Channel.EMAIL), state(p, events), POLICY, lateEvening))
                .as("email is not held at night").isEmpty();
        Instant earlyMorning = ZonedDateTime.of(2026, 12, 4, 6, 0, 0, 0, vladivostok).toInstant();
        assertThat(Verdict.of(p, SuppressionRules.evaluate(marketing(p, Channel.SMS), state(p, events), POLICY,
                earlyMorning)).retryAt()).isEqualTo(ZonedDateTime.of(2026, 12, 4, 9, 0, 0, 0, vladivostok).toInstant());
    }

    @Test
    void anErasedProfileIsDeniedForEveryPurposeWithOnlyThatReason() {
        SubjectState erased = new SubjectState(p, true, null, NOW.minus(Duration.ofDays(1)), "erased-1", null,
                List.of(), List.of(), List.of(), List.of(), List.of());
        for (Purpose purpose : Purpose.values()) {
            List<Reason> reasons = SuppressionRules.evaluate(request(p, Channel.EMAIL, purpose), erased, POLICY, NOW);
            assertThat(reasons).extracting(Reason::rule).containsExactly(Rule.ERASED);
            assertThat(reasons.get(0).sourceEventId()).isEqualTo("erased-1");
        }
    }

    @Test
    void doNotContactHoldsBackMarketingAndServiceButNotTransactional() {
        reachableAndSubscribed();
        SubjectState s = state(p, events);
        SubjectState listed = new SubjectState(p, true, s.timezone(), null, null,
                new SubjectState.DoNotContact("asked on the phone", "call centre", NOW), s.addresses(), s.purchases(),
                s.declines(), s.tickets(), s.consents());
        assertThat(SuppressionRules.evaluate(marketing(p, Channel.EMAIL), listed, POLICY, NOW)).extracting(Reason::rule)
                .containsExactly(Rule.DO_NOT_CONTACT);
        assertThat(SuppressionRules.evaluate(request(p, Channel.EMAIL, Purpose.SERVICE), listed, POLICY, NOW))
                .extracting(Reason::rule).containsExactly(Rule.DO_NOT_CONTACT);
        assertThat(SuppressionRules.evaluate(request(p, Channel.EMAIL, Purpose.TRANSACTIONAL), listed, POLICY, NOW))
                .isEmpty();
    }

    @Test
    void transactionalSkipsEveryMarketingRule() {
        reachableAndSubscribed();
        events.add(event("ticket_opened", p, NOW.minus(Duration.ofHours(1))).prop("ticketId", "T-4"));
        events.add(event("unsubscribed", p, NOW.minus(Duration.ofHours(1))).prop("channel", "all"));
        events.add(event("order_placed", p, NOW.minus(Duration.ofHours(2))).prop("orderId", "O-5")
                .prop("productId", "hoop-42"));
        ContactRequest orderUpdate = new ContactRequest(p, Channel.SMS, Purpose.TRANSACTIONAL, null,
                List.of("hoop-42"), List.of(), null, false);
        assertThat(rules(orderUpdate)).isEmpty();
    }

    @Test
    void listsWhatIsInForceWithScopeCauseAndEnd() {
        reachableAndSubscribed();
        var ticket = event("ticket_opened", p, NOW.minus(Duration.ofHours(1))).prop("ticketId", "T-5");
        events.add(ticket);
        events.add(event("order_placed", p, NOW.minus(Duration.ofDays(2))).prop("orderId", "O-6")
                .prop("productId", "hoop-42"));
        List<SuppressionRules.InForce> items = SuppressionRules.inForce(state(p, events), POLICY, NOW);
        assertThat(items).extracting(SuppressionRules.InForce::rule).contains(Rule.OPEN_TICKET, Rule.PURCHASED,
                Rule.UNREACHABLE);
        SuppressionRules.InForce open = items.stream().filter(i -> i.rule() == Rule.OPEN_TICKET).findFirst()
                .orElseThrow();
        assertThat(open.sourceEventId()).isEqualTo(ticket.id());
        assertThat(open.since()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        SuppressionRules.InForce bought = items.stream().filter(i -> i.rule() == Rule.PURCHASED).findFirst()
                .orElseThrow();
        assertThat(bought.scope()).contains("hoop-42");
        assertThat(bought.until()).isEqualTo(NOW.minus(Duration.ofDays(2)).plus(POLICY.purchasedPeriod()));
    }
}

package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * An open ticket pauses marketing everywhere, end to end: a Zendesk webhook signed as Zendesk signs it reaches
 * service-desk-bridge, becomes events on the requester's profile in profile-service, travels the event stream to
 * suppression-service, and marketing to the person is denied on every channel while transactional messages still go;
 * when the last ticket is solved, marketing resumes by itself after the grace period. Deliveries come twice and out of
 * order, two tickets overlap, and a ticket is reopened.
 */
@ExtendWith(Suite.class)
class DeskPauseIT {

    static final String SECRET = System.getenv().getOrDefault("RAPPORT_ZENDESK_WEBHOOK_SECRET", "zendesk-dev-secret");
    static final List<String> CHANNELS = List.of("email", "sms", "push", "messenger");

    @Test
    void anOpenTicketPausesMarketingOnEveryChannelUntilTheLastIsSolvedAndResumesByItself() throws Exception {
        Suite.policyWithoutCapsOrQuietHours("PT8S");
        String email = "desk-" + UUID.randomUUID() + "@example.com";
        String profile = person(email);
        await(profile, "email", "marketing", List::isEmpty, "subscribed and reachable");

        Instant t0 = Instant.now().minus(Duration.ofMinutes(30));
        String t1 = "T1-" + UUID.randomUUID().toString().substring(0, 8);
        String opened = ticket(t1, "open", t0, email);
        assertThat(zendesk(opened).getBoolean("duplicate")).isFalse();
        assertThat(zendesk(opened).getBoolean("duplicate")).as("a redelivery").isTrue();
        JsonPath denied = awaitDecision(profile, "email", "marketing",
                r -> r.contains("open_ticket"), "paused by the ticket");
        assertThat(denied.getString("decision")).isEqualTo("deny");
        assertThat(denied.getString("reasons.find { it.rule == 'open_ticket' }.detail")).contains("zendesk-" + t1);
        for (String channel : CHANNELS) {
            assertThat(rules(profile, channel, "marketing")).as(channel).contains("open_ticket");
        }
        assertThat(rules(profile, "sms", "transactional")).as("a one-time code still goes").isEmpty();

        // a second ticket, solved first but delivered out of order: the solution before the opening
        String t2 = "T2-" + UUID.randomUUID().toString().substring(0, 8);
        zendesk(ticket(t2, "solved", t0.plus(Duration.ofMinutes(3)), email));
        zendesk(ticket(t2, "open", t0.plus(Duration.ofMinutes(1)), email));
        // the first is solved; the second stays solved whatever the order: no pause is left but after the grace
        zendesk(ticket(t1, "solved", Instant.now().minusSeconds(2), email));
        JsonPath grace = awaitAnswer(profile, "email", "marketing", j -> j.getString("reasons[0].until") != null,
                "solved, in the grace period");
        assertThat(grace.getList("reasons.rule", String.class)).containsExactly("open_ticket");
        assertThat(grace.getString("decision")).as("held until the grace period ends").isEqualTo("defer");
        await(profile, "email", "marketing", List::isEmpty, "resumed by itself after the grace period");

        // a third ticket opened while another one stays open keeps the pause after the other is solved
        String t3 = "T3-" + UUID.randomUUID().toString().substring(0, 8);
        String t4 = "T4-" + UUID.randomUUID().toString().substring(0, 8);
        zendesk(ticket(t3, "new", Instant.now().minusSeconds(60), email));
        zendesk(ticket(t4, "pending", Instant.now().minusSeconds(50), email));
        await(profile, "sms", "marketing", r -> r.contains("open_ticket"), "paused by two tickets");
        zendesk(ticket(t3, "solved", Instant.now().minusSeconds(40), email));
        Thread.sleep(2000);
        assertThat(rules(profile, "sms", "marketing")).as("T4 is still open").contains("open_ticket");
        assertThat(awaitDecision(profile, "sms", "marketing", r -> r.contains("open_ticket"), "still paused")
                .getString("reasons.find { it.rule == 'open_ticket' }.detail")).contains("zendesk-" + t4);

        // reopened: solved, then open again later
        zendesk(ticket(t4, "solved", Instant.now().minusSeconds(30), email));
        zendesk(ticket(t4, "open", Instant.now().minusSeconds(20), email));
        Thread.sleep(2000);
        assertThat(rules(profile, "email", "marketing")).as("reopened").contains("open_ticket");
        assertThat(awaitDecision(profile, "email", "marketing", r -> r.contains("open_ticket"), "reopened")
                .getString("decision")).isEqualTo("deny");
    }

    @Test
    void aTicketWhoseSolvedWebhookWasLostIsClosedByReconciliationAndMarketingResumes() throws Exception {
        Suite.policyWithoutCapsOrQuietHours("PT0S");
        String email = "desk-lost-" + UUID.randomUUID() + "@example.com";
        String profile = person(email);
        await(profile, "email", "marketing", List::isEmpty, "subscribed and reachable");

        // a ticket Zendesk has, opened two hours ago; its solution is never delivered
        String kept = zendeskApi().body("{\"ticket\":{\"subject\":\"Где мой заказ?\",\"comment\":{\"body\":"
                + "\"Заказ 123 так и не пришёл\"},\"requester\":{\"email\":\"" + email + "\"}}}")
                .post("/api/v2/tickets").then().statusCode(201).extract().path("ticket.id").toString();
        // and one Zendesk no longer has at all
        String gone = String.valueOf(System.currentTimeMillis() + 1_000_000_000L);
        Instant old = Instant.now().minus(Duration.ofHours(2));
        zendesk(ticket(kept, "open", old, email));
        zendesk(ticket(gone, "open", old.plusSeconds(60), email));
        await(profile, "push", "marketing", r -> r.contains("open_ticket"), "paused by both tickets");
        Thread.sleep(3000);
        JsonPath stillOpen = awaitDecision(profile, "push", "marketing", r -> r.contains("open_ticket"),
                "still paused by the ticket Zendesk still has open");
        assertThat(stillOpen.getString("reasons.find { it.rule == 'open_ticket' }.detail"))
                .as("the ticket Zendesk no longer has was closed").contains("zendesk-" + kept)
                .doesNotContain("zendesk-" + gone);

        zendeskApi().body("{\"ticket\":{\"status\":\"solved\"}}").put("/api/v2/tickets/" + kept).then()
                .statusCode(200);
        await(profile, "email", "marketing", List::isEmpty, "resumed once reconciliation found the ticket solved");
    }

    @Test
    void anUnhappySmsReachesAPersonThroughATicketThatPausesMarketing() throws Exception {
        Suite.policyWithoutCapsOrQuietHours("PT0S");
        String email = "desk-unhappy-" + UUID.randomUUID() + "@example.com";
        String profile = person(email);
        await(profile, "email", "marketing", List::isEmpty, "subscribed and reachable");
        String conversation = "sms-" + UUID.randomUUID();
        inbound(email, "sms", conversation, "Добрый день, когда привезут заказ?");
        inbound(email, "sms", conversation, "Это просто ужас, третий раз пишу и никто не отвечает!!!");

        JsonPath denied = awaitDecision(profile, "email", "marketing", r -> r.contains("open_ticket"),
                "paused by the ticket the complaint opened");
        String ticket = denied.getString("reasons.find { it.rule == 'open_ticket' }.detail")
                .replaceAll("(?s).*zendesk-(\\d+).*", "$1");
        String created = given().baseUri(Suite.stubs()).get("/_received").then().statusCode(200).extract()
                .jsonPath().getList("zendesk.findAll { it.method == 'POST' }.body", String.class).stream()
                .filter(b -> b.contains(conversation)).findFirst().orElseThrow();
        assertThat(created).contains("когда привезут заказ?").contains("третий раз пишу");
        assertThat(zendeskApi().get("/api/v2/tickets/" + ticket).then().statusCode(200).extract()
                .path("ticket.subject").toString()).startsWith("Unhappy customer on sms");

        inbound(email, "sms", conversation, "Безобразие!!! Верните деньги!");
        Thread.sleep(2000);
        assertThat(given().baseUri(Suite.stubs()).get("/_received").jsonPath()
                .getList("zendesk.findAll { it.method == 'POST' }.body", String.class).stream()
                .filter(b -> b.contains(conversation)).count()).as("once per conversation").isEqualTo(1);

        // the agent solves it in Zendesk; its webhook ends the pause
        zendesk(ticket(ticket, "solved", Instant.now(), email));
        await(profile, "email", "marketing", List::isEmpty, "resumed after the agent solved it");
    }

    private static void inbound(String email, String channel, String conversation, String text) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "desk-in-" + UUID.randomUUID());
        e.put("type", "inbound_message");
        e.put("channel", channel);
        e.put("occurredAt", Instant.now().toString());
        e.put("identifiers", Map.of("email", email));
        e.put("properties", Map.of("text", text, "conversationId", conversation, "source", channel));
        given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(e).when().post("/api/v1/events").then().statusCode(202);
    }

    /** Zendesk's ticket API of the stand-in the suite's bridge calls, as an agent working in Zendesk. */
    private static io.restassured.specification.RequestSpecification zendeskApi() {
        return given().baseUri(Suite.stubs() + "/zendesk").contentType(ContentType.JSON).auth().preemptive().basic(
                System.getenv().getOrDefault("RAPPORT_ZENDESK_API_USER", "agent@example.com") + "/token",
                System.getenv().getOrDefault("RAPPORT_ZENDESK_API_TOKEN", "zendesk-dev-token"));
    }

    private static String person(String email) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "desk-it-" + UUID.randomUUID());
        e.put("type", "subscribed");
        e.put("channel", "email");
        e.put("occurredAt", Instant.now().minus(Duration.ofHours(2)).toString());
        e.put("identifiers", Map.of("email", email, "phone", "+7916" + String.format("%07d",
                1_000_000 + Math.floorMod(email.hashCode(), 8_999_999)), "pushToken", "tok-" + UUID.randomUUID(),
                "telegramId", String.valueOf(Math.floorMod(email.hashCode(), 999_999_999))));
        e.put("properties", Map.of("channel", "all"));
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(e).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
    }

    /** Rapport's ticket document, as a Zendesk trigger sends it (the service README has the template). */
    static String ticket(String id, String status, Instant at, String email) {
        return "{\"id\":\"" + id + "-" + status + "-" + at.toEpochMilli() + "\",\"ticket\":{\"id\":\"" + id
                + "\",\"status\":\"" + status + "\",\"subject\":\"Заказ не пришёл\",\"updatedAt\":\"" + at
                + "\",\"requester\":{\"email\":\"" + email + "\",\"phone\":\"\"}}}\n";
    }

    static JsonPath zendesk(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String ts = Instant.now().toString();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(ts.getBytes(StandardCharsets.UTF_8));
        String signature = java.util.Base64.getEncoder().encodeToString(mac.doFinal(bytes));
        return given().port(Suite.port("service-desk-bridge")).contentType(ContentType.JSON).body(bytes)
                .header("X-Zendesk-Webhook-Signature-Timestamp", ts).header("X-Zendesk-Webhook-Signature", signature)
                .when().post("/webhooks/desk/zendesk").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath decide(String profile, String channel, String purpose) {
        return given().port(Suite.port("suppression-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(Map.of("profileId", profile, "channel", channel, "purpose", purpose))
                .when().post("/api/v1/decisions").then().statusCode(200).extract().jsonPath();
    }

    private static List<String> rules(String profile, String channel, String purpose) {
        return decide(profile, channel, purpose).getList("reasons.rule", String.class);
    }

    private static void await(String profile, String channel, String purpose, Predicate<List<String>> condition,
            String what) throws InterruptedException {
        awaitDecision(profile, channel, purpose, condition, what);
    }

    private static JsonPath awaitDecision(String profile, String channel, String purpose,
            Predicate<List<String>> condition, String what) throws InterruptedException {
        return awaitAnswer(profile, channel, purpose, j -> condition.test(j.getList("reasons.rule", String.class)),
                what);
    }

    private static JsonPath awaitAnswer(String profile, String channel, String purpose, Predicate<JsonPath> condition,
            String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonPath last;
        do {
            last = decide(profile, channel, purpose);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within 30 s: " + what + "; last answer " + last.prettify());
    }
}

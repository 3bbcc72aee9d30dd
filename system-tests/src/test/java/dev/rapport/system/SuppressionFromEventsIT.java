package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * What a person does on any channel reaches suppression-service through profile-service's event stream: the services
 * run as `make run` runs them, the events are posted to profile-service, the decisions asked of suppression-service.
 */
@ExtendWith(Suite.class)
class SuppressionFromEventsIT {

    static String post(Map<String, Object> event) {
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(event).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
    }

    static Map<String, Object> event(String type, String channel, String email, Map<String, Object> properties) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "it-" + UUID.randomUUID());
        e.put("type", type);
        e.put("channel", channel);
        e.put("occurredAt", Instant.now().minusSeconds(1).toString());
        e.put("identifiers", Map.of("email", email));
        e.put("properties", properties);
        return e;
    }

    static JsonPath decide(String profileId, String channel, List<String> productIds) {
        return given().port(Suite.port("suppression-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(Map.of("profileId", profileId, "channel", channel,
                        "purpose", "marketing", "productIds", productIds))
                .when().post("/api/v1/decisions").then().statusCode(200).extract().jsonPath();
    }

    /** Asks again until the answer's rules satisfy the condition (the stream is asynchronous), for up to 15 s. */
    static List<String> await(String profileId, List<String> productIds, Predicate<List<String>> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> rules;
        do {
            rules = decide(profileId, "email", productIds).getList("reasons.rule", String.class);
            if (condition.test(rules)) {
                return rules;
            }
            sleep();
        } while (System.nanoTime() < deadline);
        return rules;
    }

    @Test
    void anOpenTicketPostedToProfileServicePausesMarketingAndAPendingOrderHoldsBackItsProduct() {
        Suite.policyWithoutCapsOrQuietHours();
        String email = "it-" + UUID.randomUUID() + "@example.com";
        String profile = post(event("subscribed", "email", email, Map.of("channel", "email")));
        assertThat(await(profile, List.of(), List::isEmpty)).as("reachable and subscribed").isEmpty();

        String ticket = "T-" + UUID.randomUUID();
        post(event("ticket_opened", "service_desk", email, Map.of("ticketId", ticket)));
        assertThat(await(profile, List.of(), rules -> rules.contains("open_ticket"))).containsExactly("open_ticket");

        post(event("order_placed", "web", email, Map.of("orderId", "O-" + ticket, "productIds", List.of("hoop-42"),
                "amount", 4990, "currency", "RUB")));
        post(event("ticket_resolved", "service_desk", email, Map.of("ticketId", ticket)));
        assertThat(await(profile, List.of("hoop-42"), rules -> !rules.contains("open_ticket")))
                .as("resumed when resolved; the pending order still holds its product back").containsExactly("purchased");
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A marketer's segment evaluated by the real profile-service: "viewed this category in 7 days and did not order"
 * holds the person who only looked and not the one who bought; its preview shows who, without addresses; a
 * definition profile-service cannot evaluate is refused with the path of the fault and not stored.
 */
@ExtendWith(Suite.class)
class SegmentsIT {

    @Test
    void aSegmentWithAnAbsenceConditionHoldsWhoLookedAndDidNotBuy() {
        String category = "balls-" + UUID.randomUUID();
        String looked = person("looked-" + UUID.randomUUID() + "@example.com", "Иван", category, false);
        person("bought-" + UUID.randomUUID() + "@example.com", "Мария", category, true);

        String body = """
                {"name": "Смотрели %s, не купили", "definition": {"condition": {"all": {"conditions": [
                  {"event": {"type": "product_viewed", "properties": {"category": "%s"}, "within": "604800s"}},
                  {"not": {"event": {"type": "order_placed", "within": "604800s"}}}]}}}}""".formatted(category,
                category);
        JsonPath created = given().port(Suite.port("campaign-service")).auth().oauth2(TestTokens.user("marketer"))
                .contentType(ContentType.JSON).body(body).when().post("/api/v1/segments").then().statusCode(201)
                .extract().jsonPath();
        assertThat(created.getLong("audience")).isEqualTo(1);
        String id = created.getString("id");

        JsonPath preview = given().port(Suite.port("campaign-service")).auth().oauth2(TestTokens.user("marketer"))
                .when().get("/api/v1/segments/" + id + "/preview").then().statusCode(200).extract().jsonPath();
        assertThat(preview.getLong("count")).isEqualTo(1);
        assertThat(preview.getList("sample.profileId", String.class)).containsExactly(looked);
        assertThat(preview.getString("sample[0].traits.firstName")).isEqualTo("Иван");
        assertThat(preview.getString("sample[0]")).doesNotContain("@example.com");
    }

    @Test
    void aDefinitionProfileServiceCannotEvaluateIsRefusedWithItsPath() {
        String body = """
                {"name": "Пустой список", "definition": {"condition": {"trait": {"key": "city",
                  "operator": "TRAIT_OPERATOR_IN", "values": []}}}}""";
        JsonPath refused = given().port(Suite.port("campaign-service")).auth().oauth2(TestTokens.user("marketer"))
                .contentType(ContentType.JSON).body(body).when().post("/api/v1/segments").then().statusCode(400)
                .extract().jsonPath();
        assertThat(refused.getString("errors[0].field")).startsWith("definition.condition");
    }

    private static String person(String email, String firstName, String category, boolean ordered) {
        String profile = post(event("product_viewed", email, Map.of("category", category, "productId", "ball-1"),
                Map.of("firstName", firstName)));
        if (ordered) {
            post(event("order_placed", email, Map.of("orderId", "o-" + UUID.randomUUID(), "productIds",
                    List.of("ball-1"), "amount", 1990, "currency", "RUB"), Map.of()));
        }
        return profile;
    }

    private static Map<String, Object> event(String type, String email, Map<String, Object> properties,
            Map<String, Object> traits) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "seg-it-" + UUID.randomUUID());
        e.put("type", type);
        e.put("channel", "web");
        e.put("occurredAt", Instant.now().minusSeconds(60).toString());
        e.put("identifiers", Map.of("email", email));
        e.put("traits", traits);
        e.put("properties", properties);
        return e;
    }

    private static String post(Map<String, Object> event) {
        return given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                .contentType(ContentType.JSON).body(event).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
    }
}

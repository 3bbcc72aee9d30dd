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
 * campaign-service against the real profile-service. A marketer's segment "viewed this category in 7 days and did not
 * order" holds the person who only looked and not the one who bought; its preview shows who, without addresses; a
 * definition profile-service cannot evaluate is refused with the path of the fault and not stored. A template
 * rendered for a person greets them by name in the formal voice and says how many SMS parts it takes.
 */
@ExtendWith(Suite.class)
class CampaignIT {

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

    @Test
    void aTemplateRenderedForAPersonGreetsThemByNameAndCountsItsSmsParts() {
        String profile = person("tpl-" + UUID.randomUUID() + "@example.com", "Иван", "tpl-" + UUID.randomUUID(),
                false);
        String id = given().port(Suite.port("campaign-service")).auth().oauth2(TestTokens.user("marketer"))
                .contentType(ContentType.JSON).body(Map.of("name", "Скидка", "channel", "sms", "text",
                        "{greeting}! Скидка 20 % на мячи до воскресенья в магазинах и на сайте. Покажите это "
                                + "сообщение на кассе."))
                .when().post("/api/v1/templates").then().statusCode(201).extract().path("id");
        JsonPath rendered = given().port(Suite.port("campaign-service")).auth().oauth2(TestTokens.user("marketer"))
                .contentType(ContentType.JSON).body(Map.of("profileId", profile)).when()
                .post("/api/v1/templates/" + id + "/render").then().statusCode(200).extract().jsonPath();
        assertThat(rendered.getString("text")).startsWith("Здравствуйте, Иван! Скидка 20 %");
        assertThat(rendered.getString("encoding")).isEqualTo("UCS-2");
        assertThat(rendered.getInt("segments")).isEqualTo(2);
        given().port(Suite.port("campaign-service")).auth().oauth2(TestTokens.user("marketer"))
                .contentType(ContentType.JSON).body(Map.of("profileId", UUID.randomUUID().toString())).when()
                .post("/api/v1/templates/" + id + "/render").then().statusCode(422);
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

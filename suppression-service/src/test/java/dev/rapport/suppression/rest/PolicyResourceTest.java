package dev.rapport.suppression.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** GET and PUT /api/v1/policy. */
@QuarkusTest
class PolicyResourceTest {

    @Test
    void replacesThePolicyAndShowsItWithANewVersion() {
        int before = Api.policy(Map.of()).getInt("version");
        Api.policy(Map.of("purchasedPeriod", "P14D", "caps", List.of(Map.of("channel", "push", "limit", 4, "days", 7))));
        Api.get("marketer", "/api/v1/policy").statusCode(200)
                .body("version", equalTo(before + 1))
                .body("purchasedPeriod", equalTo("P14D"))
                .body("caps[0].channel", equalTo("push"))
                .body("caps[0].limit", equalTo(4))
                .body("updatedBy", equalTo("marketer"))
                .body("version", greaterThan(0));
        Api.policy(Map.of());
    }

    @Test
    void refusesNegativeOrContradictoryValuesAndChangesNothing() {
        int version = Api.policy(Map.of()).getInt("version");
        Map<String, Object> bad = new HashMap<>(Api.defaults());
        bad.put("declinedPeriod", "-P1D");
        bad.put("caps", List.of(Map.of("limit", 5, "days", 1), Map.of("limit", 2, "days", 7),
                Map.of("channel", "sms", "limit", -1, "days", 7)));
        bad.put("quietHours", Map.of("start", "22:00", "end", "22:00", "channels", List.of("sms")));
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body(bad)
                .when().put("/api/v1/policy").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("declinedPeriod", "caps[0]", "caps[2].limit", "quietHours.end"));
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON)
                .body("{\"caps\":\"many\"}").when().put("/api/v1/policy").then().statusCode(400)
                .body("errors.field", hasItems("caps"));
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body("{}")
                .when().put("/api/v1/policy").then().statusCode(400)
                .body("errors.size()", equalTo(7));
        Api.get("marketer", "/api/v1/policy").body("version", equalTo(version)).body("declinedPeriod", equalTo("P30D"));
    }

    @Test
    void needsTheMarketerRole() {
        given().when().get("/api/v1/policy").then().statusCode(401);
        Api.get("integrator", "/api/v1/policy").statusCode(403);
        given().auth().oauth2(TestTokens.user("agent")).contentType(ContentType.JSON).body(Api.defaults())
                .when().put("/api/v1/policy").then().statusCode(403);
        Api.get("admin", "/api/v1/policy").statusCode(200);
    }
}

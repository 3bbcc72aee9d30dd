package dev.rapport.suppression.rest;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/** Calls of the suppression API for tests. */
public final class Api {

    private Api() {
    }

    /** A decision request body. */
    public static Map<String, Object> contact(String profileId, String channel, String purpose) {
        Map<String, Object> body = new HashMap<>();
        body.put("profileId", profileId);
        body.put("channel", channel);
        body.put("purpose", purpose);
        return body;
    }

    public static ValidatableResponse decide(Map<String, Object> body) {
        return given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/decisions").then().log().ifValidationFails();
    }

    /** Decides and answers the decision's JSON. */
    public static JsonPath decision(Map<String, Object> body) {
        return decide(body).statusCode(200).extract().jsonPath();
    }

    /** The rules of a decision's reasons. */
    public static List<String> rules(Map<String, Object> body) {
        return decision(body).getList("reasons.rule", String.class);
    }

    /** The default policy with quiet hours off and the given fields replaced; answers it as set. */
    public static JsonPath policy(Map<String, Object> changes) {
        Map<String, Object> policy = new HashMap<>(defaults());
        policy.put("quietHours", Map.of("start", "21:00", "end", "09:00", "channels", List.of()));
        policy.putAll(changes);
        return given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body(policy)
                .when().put("/api/v1/policy").then().log().ifValidationFails().statusCode(200).extract().jsonPath();
    }

    /** The shipped defaults, as the API writes them. */
    public static Map<String, Object> defaults() {
        return Map.of("caps", List.of(Map.of("limit", 1, "days", 1), Map.of("limit", 3, "days", 7),
                Map.of("channel", "sms", "limit", 2, "days", 7)),
                "quietHours", Map.of("start", "21:00", "end", "09:00",
                        "channels", List.of("sms", "push", "messenger", "call_center")),
                "purchasedPeriod", "P30D", "declinedPeriod", "P30D", "ticketGracePeriod", "P1D",
                "defaultTimezone", "Europe/Moscow", "consentRequired", true);
    }

    public static ValidatableResponse post(String user, String path, Object body) {
        var request = given().auth().oauth2(TestTokens.user(user));
        if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.when().post(path).then().log().ifValidationFails();
    }

    public static ValidatableResponse delete(String user, String path) {
        return given().auth().oauth2(TestTokens.user(user)).when().delete(path).then().log().ifValidationFails();
    }

    public static ValidatableResponse get(String user, String path) {
        return given().auth().oauth2(TestTokens.user(user)).when().get(path).then().log().ifValidationFails();
    }
}

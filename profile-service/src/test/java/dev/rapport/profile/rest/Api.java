package dev.rapport.profile.rest;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/** Calls of the profile API as an integrator, for tests. */
final class Api {

    private Api() {
    }

    /** Posts events (one or a batch) and answers the profile id of each, in order. */
    static List<String> record(List<Map<String, Object>> events) {
        return given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("events", events)).when().post("/api/v1/events")
                .then().statusCode(202).extract().jsonPath().getList("accepted.profileId", String.class);
    }

    static String record(Map<String, Object> event) {
        return record(List.of(event)).get(0);
    }

    static JsonPath profile(String id) {
        return get("/api/v1/profiles/" + id).statusCode(200).extract().jsonPath();
    }

    static ValidatableResponse get(String path) {
        return given().auth().oauth2(TestTokens.user("integrator")).when().get(path).then().log().ifValidationFails();
    }
}

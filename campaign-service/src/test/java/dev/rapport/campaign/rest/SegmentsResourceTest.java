package dev.rapport.campaign.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.sql.SQLException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.Rows;
import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Creating segments, as a marketer: every fault of the request is named (malformed JSON with its position, a missing
 * or overlong name, a missing definition, a field the audience format does not have), and nothing is stored when the
 * request is refused or profile-service (down beside these tests) cannot check it; only marketers create them.
 */
@QuarkusTest
class SegmentsResourceTest {

    private static final String VIEWED_NOT_ORDERED = """
            {"name": "Смотрели мячи, не купили", "definition": {"condition": {"all": {"conditions": [
              {"event": {"type": "product_viewed", "properties": {"category": "balls"}, "within": "604800s"}},
              {"not": {"event": {"type": "order_placed", "within": "604800s"}}}]}}}}""";

    @Inject
    AgroalDataSource db;

    @Test
    void onlyMarketersCreateSegments() {
        given().contentType(ContentType.JSON).body(VIEWED_NOT_ORDERED).when().post("/api/v1/segments").then()
                .statusCode(401);
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(VIEWED_NOT_ORDERED)
                .when().post("/api/v1/segments").then().statusCode(403);
        given().auth().oauth2(TestTokens.user("agent")).when().get("/api/v1/segments/seg-1/preview").then()
                .statusCode(403);
    }

    @Test
    void everyFaultOfTheRequestIsNamedAndNothingIsStored() throws SQLException {
        long before = segments();
        String marketer = TestTokens.user("marketer");
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{\"name\": \"x\"\n \"definition\": {}}")
                .when().post("/api/v1/segments").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("line 2, column 2"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{\"definition\": {\"condition\": {}}}")
                .when().post("/api/v1/segments").then().statusCode(400).body("errors.field", hasItem("name"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{\"name\": \"" + "я".repeat(201)
                + "\", \"definition\": {\"condition\": {}}}").when().post("/api/v1/segments").then().statusCode(400)
                .body("errors.field", hasItem("name"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{\"name\": \"Нет условия\"}").when()
                .post("/api/v1/segments").then().statusCode(400).body("errors[0].field", equalTo("definition"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{\"name\": \"Опечатка\", \"definition\": "
                + "{\"condition\": {\"evnt\": {\"type\": \"order_placed\"}}}}").when().post("/api/v1/segments").then()
                .statusCode(400).body("errors[0].field", equalTo("definition"))
                .body("errors[0].message", containsString("evnt"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{\"name\": \"Неверный оператор\", "
                + "\"definition\": {\"condition\": {\"trait\": {\"key\": \"city\", \"operator\": \"LIKE\"}}}}").when()
                .post("/api/v1/segments").then().statusCode(400).body("errors[0].message", containsString("LIKE"));
        assertThat(segments()).isEqualTo(before);
    }

    @Test
    void aSegmentProfileServiceCannotCheckNowIsNotStored() throws SQLException {
        long before = segments();
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON).body(VIEWED_NOT_ORDERED)
                .when().post("/api/v1/segments").then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("profile-service"));
        assertThat(segments()).isEqualTo(before);
    }

    @Test
    void anUnknownSegmentIsNotFoundAndAPreviewSampleIsBounded() {
        String marketer = TestTokens.user("marketer");
        given().auth().oauth2(marketer).when().get("/api/v1/segments/seg-none").then().statusCode(404)
                .body("reason", equalTo("segment_not_found"));
        given().auth().oauth2(marketer).when().get("/api/v1/segments/seg-none/preview").then().statusCode(404);
        given().auth().oauth2(marketer).queryParam("sample", "51").when().get("/api/v1/segments/seg-none/preview")
                .then().statusCode(400).body("errors[0].field", equalTo("sample"));
    }

    private long segments() throws SQLException {
        return Rows.number(db, "SELECT count(*) FROM segment WHERE name <> ?", "");
    }
}

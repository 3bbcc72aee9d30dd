package dev.rapport.campaign.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.sql.SQLException;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.Rows;
import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Templates as a marketer creates them: stored once every part parses and the channel has its parts, each fault
 * named (a part that does not parse with its line and column), nothing stored when refused; rendering needs the
 * person from profile-service (down beside these tests: 503).
 */
@QuarkusTest
class TemplatesResourceTest {

    @Inject
    AgroalDataSource db;

    @Test
    void aMarketerCreatesATemplateAndReadsItBack() {
        String marketer = TestTokens.user("marketer");
        String id = given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("name", "Скидка на мячи",
                "channel", "sms", "text", "{greeting}! Скидка 20 % на мячи до воскресенья.")).when()
                .post("/api/v1/templates").then().statusCode(201).body("id", startsWith("tpl-")).extract().path("id");
        given().auth().oauth2(marketer).when().get("/api/v1/templates/" + id).then().statusCode(200)
                .body("channel", equalTo("sms")).body("text", startsWith("{greeting}"));
        given().when().get("/api/v1/templates/" + id).then().statusCode(401);
        given().auth().oauth2(TestTokens.user("integrator")).when().get("/api/v1/templates/" + id).then()
                .statusCode(403);
    }

    @Test
    void everyFaultIsNamedAndNothingIsStored() throws SQLException {
        long before = templates();
        String marketer = TestTokens.user("marketer");
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("name", "Без конца", "channel",
                "email", "subject", "Привет", "text", "Строка\n{#if person.vip}без конца")).when()
                .post("/api/v1/templates").then().statusCode(400).body("errors[0].field", equalTo("text"))
                .body("errors[0].message", startsWith("line 2"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("name", "Без темы", "channel",
                "email", "text", "Текст")).when().post("/api/v1/templates").then().statusCode(400)
                .body("errors.field", hasItem("subject"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("name", "Звонок", "channel",
                "voice", "text", "Текст")).when().post("/api/v1/templates").then().statusCode(400)
                .body("errors[0].field", equalTo("channel"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("channel", "sms", "text", "Текст"))
                .when().post("/api/v1/templates").then().statusCode(400).body("errors.field", hasItem("name"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("name", "Огромный", "channel",
                "sms", "text", "я".repeat(100_001))).when().post("/api/v1/templates").then().statusCode(400)
                .body("errors[0].field", equalTo("text"));
        assertThat(templates()).isEqualTo(before);
    }

    @Test
    void renderingNeedsTheTemplateAPersonAndProfileService() {
        String marketer = TestTokens.user("marketer");
        String id = given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("name", "Пуш",
                "channel", "push", "title", "{greeting}", "body", "Бонус ждёт")).when().post("/api/v1/templates")
                .then().statusCode(201).extract().path("id");
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body("{}").when()
                .post("/api/v1/templates/" + id + "/render").then().statusCode(400)
                .body("errors[0].field", equalTo("profileId"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("profileId", "p-1")).when()
                .post("/api/v1/templates/tpl-none/render").then().statusCode(404)
                .body("reason", equalTo("template_not_found"));
        given().auth().oauth2(marketer).contentType(ContentType.JSON).body(Map.of("profileId", "p-1")).when()
                .post("/api/v1/templates/" + id + "/render").then().statusCode(503)
                .body("detail", containsString("profile-service"));
    }

    private long templates() throws SQLException {
        return Rows.number(db, "SELECT count(*) FROM template WHERE name <> ?", "");
    }
}

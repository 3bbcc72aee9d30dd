package dev.rapport.desk.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The agent's API refuses what it cannot answer before asking anyone: no token, the wrong role, an invalid phone or
 * email (named), none or several ways to find the customer, an outcome without a product or with an outcome it does
 * not know; nothing is recorded for any of them. (The answers with a customer are tested across the suite, with
 * profile-service: AgentIT.)
 */
@QuarkusTest
class AgentResourceTest {

    @Inject
    AgroalDataSource db;

    @Test
    void theContextNeedsAnAgentsToken() {
        given().queryParam("phone", "+79161234567").when().get("/api/v1/agent/context").then().statusCode(401);
        given().auth().oauth2(TestTokens.user("integrator")).queryParam("phone", "+79161234567").when()
                .get("/api/v1/agent/context").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.user("marketer")).contentType(ContentType.JSON)
                .body(Map.of("profileId", "p", "productId", "x", "outcome", "declined")).when()
                .post("/api/v1/agent/outcomes").then().statusCode(403);
    }

    @Test
    void anInvalidPhoneOrEmailIsNamedAndNoneOrSeveralWaysToFindTheCustomerAreRefused() {
        agent().queryParam("phone", "12ab").when().get("/api/v1/agent/context").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("phone"));
        agent().queryParam("phone", "+7 916 123").when().get("/api/v1/agent/context").then().statusCode(400)
                .body("errors[0].field", equalTo("phone"));
        agent().queryParam("email", "not-an-email").when().get("/api/v1/agent/context").then().statusCode(400)
                .body("errors[0].field", equalTo("email"));
        agent().when().get("/api/v1/agent/context").then().statusCode(400)
                .body("errors[0].message", containsString("one of phone, email or profileId"));
        agent().queryParam("phone", "+79161234567").queryParam("email", "a@example.com").when()
                .get("/api/v1/agent/context").then().statusCode(400)
                .body("errors[0].message", containsString("only one"));
    }

    @Test
    void anOutcomeWithoutAProductOrWithAnUnknownOutcomeIsRefusedAndRecordsNothing() throws SQLException {
        long before = outcomes();
        agent().contentType(ContentType.JSON).body(Map.of("profileId", "p-1", "outcome", "declined")).when()
                .post("/api/v1/agent/outcomes").then().statusCode(400).body("errors[0].field", equalTo("productId"));
        agent().contentType(ContentType.JSON).body(Map.of("profileId", "p-1", "productId", "x", "outcome", "maybe"))
                .when().post("/api/v1/agent/outcomes").then().statusCode(400)
                .body("errors[0].field", equalTo("outcome"));
        agent().contentType(ContentType.JSON).body(Map.of("productId", "x", "outcome", "accepted")).when()
                .post("/api/v1/agent/outcomes").then().statusCode(400).body("errors[0].field", equalTo("profileId"));
        agent().contentType(ContentType.JSON).body("{\"profileId\":").when().post("/api/v1/agent/outcomes").then()
                .statusCode(400).contentType("application/problem+json");
        agent().contentType(ContentType.JSON).body(Map.of("profileId", "p-1", "productId", "x", "outcome",
                "declined", "note", "x".repeat(3000))).when().post("/api/v1/agent/outcomes").then().statusCode(400)
                .body("errors[0].field", equalTo("note"));
        assertThat(outcomes()).isEqualTo(before);
    }

    @Test
    void aCustomerCannotBeLookedUpWhileProfileServiceIsDownAndTheAnswerSaysSo() {
        agent().queryParam("profileId", "p-1").when().get("/api/v1/agent/context").then().statusCode(503)
                .contentType("application/problem+json");
    }

    private static io.restassured.specification.RequestSpecification agent() {
        return given().auth().oauth2(TestTokens.user("agent"));
    }

    private long outcomes() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM agent_outcome"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package dev.rapport.desk.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The agent's page is behind Keycloak's sign-in: without a session it sends the browser to the realm's authorization
 * endpoint as client rapport-agent-page (with PKCE), an API token does not open it, and a form posted without a
 * session (from another site, say) records nothing. Signing in, the customer's screen and recording an outcome are
 * tested in a real browser across the suite (AgentPageIT).
 */
@QuarkusTest
class AgentPageTest {

    @Inject
    AgroalDataSource db;

    @Test
    void withoutASessionThePageSendsTheBrowserToKeycloaksSignIn() {
        given().redirects().follow(false).when().get("/agent?q=%2B79161234567").then().statusCode(302)
                .header("Location", containsString("/realms/rapport/protocol/openid-connect/auth"))
                .header("Location", containsString("client_id=rapport-agent-page"))
                .header("Location", containsString("code_challenge_method=S256"));
        given().redirects().follow(false).auth().oauth2(TestTokens.user("agent")).when().get("/agent").then()
                .statusCode(302).header("Location", containsString("openid-connect/auth"));
    }

    @Test
    void aFormPostedWithoutASessionRecordsNothing() throws SQLException {
        long before = outcomes();
        given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("profileId", "p-1").formParam("productId", "x").formParam("outcome", "declined").when()
                .post("/agent/outcomes").then().statusCode(302)
                .header("Location", containsString("openid-connect/auth"));
        assertThat(outcomes()).isEqualTo(before);
    }

    private long outcomes() throws SQLException {
        try (Connection c = db.getConnection(); ResultSet r = c.createStatement()
                .executeQuery("SELECT count(*) FROM agent_outcome")) {
            r.next();
            return r.getLong(1);
        }
    }
}

package dev.rapport.suppression.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TestTokens;
import dev.rapport.suppression.SuppressionFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Prometheus tells every route apart by its own template, never by a profile id and never lumped together. */
@QuarkusTest
class HttpMetricsTest {

    @Test
    void everyRouteUnderAProfileKeepsItsOwnLabel() {
        String p = SuppressionFixtures.profileId();
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("channel", "sms", "status", "opted_out", "source", "metrics test"))
                .when().put("/api/v1/profiles/" + p + "/consents").then().statusCode(200);
        Api.get("integrator", "/api/v1/profiles/" + p + "/suppressions").statusCode(200);
        Api.get("integrator", "/api/v1/profiles/" + p + "/decisions").statusCode(200);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("uri=\"/api/v1/profiles/{id}/consents\"",
                "uri=\"/api/v1/profiles/{id}/suppressions\"", "uri=\"/api/v1/profiles/{id}/decisions\"");
        assertThat(metrics).as("no profile id becomes a label").doesNotContain(p);
    }
}

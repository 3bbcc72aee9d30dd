package dev.rapport.suppression.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.rapport.common.security.VerifiedTokens;
import dev.rapport.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Every REST endpoint answers 401 without a token and 403 with a token lacking its role, as problem details. */
@QuarkusTest
class RolesTest {

    static final String P = "p-roles";

    @Inject
    VerifiedTokens verified;

    static Stream<Arguments> endpoints() {
        Map<String, Object> decision = Map.of("profileId", P, "channel", "email", "purpose", "transactional");
        Map<String, Object> consent = Map.of("channel", "sms", "status", "opted_in", "source", "roles test");
        Map<String, Object> dnc = Map.of("reason", "roles test", "source", "roles test");
        return Stream.of(
                Arguments.of("POST", "/api/v1/decisions", decision, "agent", "integrator", 200),
                Arguments.of("GET", "/api/v1/policy", null, "integrator", "marketer", 200),
                Arguments.of("PUT", "/api/v1/policy", Api.defaults(), "agent", "admin", 200),
                Arguments.of("GET", "/api/v1/profiles/" + P + "/suppressions", null, "nobody", "agent", 200),
                Arguments.of("GET", "/api/v1/profiles/" + P + "/consents", null, "nobody", "marketer", 200),
                Arguments.of("PUT", "/api/v1/profiles/" + P + "/consents", consent, "agent", "integrator", 200),
                Arguments.of("GET", "/api/v1/profiles/" + P + "/decisions", null, "nobody", "integrator", 200),
                Arguments.of("PUT", "/api/v1/profiles/" + P + "/do-not-contact", dnc, "integrator", "agent", 204),
                Arguments.of("DELETE", "/api/v1/profiles/" + P + "/do-not-contact", null, "agent", "marketer", 204),
                Arguments.of("GET", "/api/v1/stream/dead-letters", null, "marketer", "admin", 200),
                Arguments.of("POST", "/api/v1/stream/dead-letters/1-0/replay", null, "integrator", "admin", 404),
                Arguments.of("DELETE", "/api/v1/stream/dead-letters/1-0", null, "agent", "admin", 404));
    }

    /** Each call finds the person on the do-not-contact list, so taking them off answers 204 in any order. */
    @BeforeEach
    void onTheList() {
        request(TestTokens.user("admin"), Map.of("reason", "roles test", "source", "roles test")).when()
                .put("/api/v1/profiles/" + P + "/do-not-contact").then().statusCode(204);
    }

    static RequestSpecification request(String token, Object body) {
        RequestSpecification r = given();
        if (token != null) {
            r = r.auth().oauth2(token);
        }
        return body == null ? r : r.contentType(ContentType.JSON).body(body);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void refusesCallersWithoutTokenOrRoleAndLetsTheRoleIn(String method, String path, Object body, String forbidden,
            String allowed, int status) {
        request(null, body).when().request(method, path).then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401));
        request(TestTokens.user(forbidden), body).when().request(method, path).then().statusCode(403)
                .contentType("application/problem+json").body("reason", equalTo("missing_role"));
        request(TestTokens.user(allowed), body).when().request(method, path).then().statusCode(status);
    }

    /**
     * A token is verified once and then trusted until it expires (VerifiedTokens): the same token goes on working with
     * its own roles, and a token altered after it was accepted is verified again and refused.
     */
    @Test
    void aTokenAcceptedOnceKeepsItsRolesAndAnAlteredCopyIsRefused() {
        String path = "/api/v1/profiles/" + P + "/decisions";
        String token = TestTokens.user("integrator");
        String nobody = TestTokens.user("nobody");
        double hits = verified.hits();
        for (int i = 0; i < 3; i++) {
            request(token, null).when().get(path).then().statusCode(200);
            request(nobody, null).when().get(path).then().statusCode(403).body("reason", equalTo("missing_role"));
        }
        assertThat(verified.hits() - hits).as("uses of a token verified before").isGreaterThanOrEqualTo(4);
        int dot = token.lastIndexOf('.');
        int at = dot + (token.length() - dot) / 2; // a character in the middle of the signature
        char changed = token.charAt(at) == 'A' ? 'B' : 'A';
        String altered = token.substring(0, at) + changed + token.substring(at + 1);
        request(altered, null).when().get(path).then().statusCode(401).contentType("application/problem+json");
        String payload = token.substring(token.indexOf('.') + 1, dot);
        String forged = token.replace(payload, payload.substring(0, payload.length() - 2) + "xx");
        request(forged, null).when().get(path).then().statusCode(401);
        request(token, null).when().get(path).then().statusCode(200);
    }
}

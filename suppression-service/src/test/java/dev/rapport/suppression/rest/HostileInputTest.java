package dev.rapport.suppression.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.rapport.common.testing.TestTokens;
import dev.rapport.suppression.SuppressionFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Every string that would reach the database is checked where it comes in: a NUL, an unpaired surrogate or an
 * over-long value is a 400 naming the field, never a 500, and nothing is recorded; right-to-left evidence is kept.
 */
@QuarkusTest
class HostileInputTest {

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("/consents", "{\"channel\":\"sms\",\"status\":\"opted_out\",\"source\":\"form \\u0000\"}",
                        "source", "must not contain NUL characters"),
                Arguments.of("/consents", "{\"channel\":\"sms\",\"status\":\"opted_out\",\"source\":\"\\ud800\"}",
                        "source", "is not valid Unicode (an unpaired surrogate)"),
                Arguments.of("/consents", "{\"channel\":\"sms\",\"status\":\"opted_out\",\"source\":\""
                        + "x".repeat(70_000) + "\"}", "source", "must be at most 256 characters"),
                Arguments.of("/do-not-contact", "{\"reason\":\"a\\u0000b\",\"source\":\"call\"}", "reason",
                        "must not contain NUL characters"),
                Arguments.of("/do-not-contact", "{\"reason\":\"angry\",\"source\":\"\\udfff\"}", "source",
                        "is not valid Unicode (an unpaired surrogate)"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("writes")
    void aHostileValueIsABadRequestNamingItsFieldAndNothingIsRecorded(String path, String body, String field,
            String message) {
        String p = SuppressionFixtures.profileId();
        given().auth().oauth2(TestTokens.user("admin")).contentType(ContentType.JSON).body(body)
                .when().put("/api/v1/profiles/" + p + path).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo(field))
                .body("errors[0].message", equalTo(message));
        Api.get("admin", "/api/v1/profiles/" + p + "/consents").statusCode(200).body("history.size()", equalTo(0));
        Api.get("admin", "/api/v1/profiles/" + p + "/suppressions").statusCode(200)
                .body("items.findAll { it.rule == 'do_not_contact' }.size()", equalTo(0));
    }

    @Test
    void rightToLeftEvidenceIsKeptAsWritten() {
        String p = SuppressionFixtures.profileId();
        String source = "טופס \u202Eביטול\u202C (web)";
        given().auth().oauth2(TestTokens.user("admin")).contentType(ContentType.JSON.withCharset("UTF-8"))
                .body(java.util.Map.of("channel", "sms", "status", "opted_out", "source", source))
                .when().put("/api/v1/profiles/" + p + "/consents").then().statusCode(200)
                .body("history[0].source", equalTo(source));
    }

    @Test
    void hostileIdsInDecisionsAndPathsAreBadRequests() {
        Api.decide(Api.contact("p-\u0000", "email", "transactional")).statusCode(400)
                .body("errors[0].field", equalTo("profileId"));
        java.util.Map<String, Object> promo = Api.contact(SuppressionFixtures.profileId(), "email", "marketing");
        promo.put("productIds", java.util.List.of("ok", "hoop\u0000"));
        Api.decide(promo).statusCode(400).body("errors[0].field", equalTo("productIds[1]"));
        promo.put("productIds", java.util.List.of("\u202Ehoop"));
        Api.decide(promo).statusCode(400).body("errors[0].message",
                equalTo("must not contain bidirectional formatting characters"));
        for (String path : java.util.List.of("/api/v1/profiles/abc%00def/suppressions",
                "/api/v1/profiles/abc%00def/consents", "/api/v1/profiles/abc%00def/decisions")) {
            given().urlEncodingEnabled(false).auth().oauth2(TestTokens.user("admin")).when().get(path).then()
                    .statusCode(400).body("errors[0].field", equalTo("id"));
        }
    }
}

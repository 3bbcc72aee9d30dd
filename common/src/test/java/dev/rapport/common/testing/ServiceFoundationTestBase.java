package dev.rapport.common.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.grpc.Status;

import io.restassured.RestAssured;

/**
 * What every Rapport service must do from its first day, proven against the real PostgreSQL, Redis and Keycloak: it is
 * live and ready, its schema was migrated, it serves metrics and OpenAPI, it answers problem details, its REST API
 * needs a token with the right role and its gRPC API a service token. Each service runs these with a
 * {@code @QuarkusTest} subclass naming its own gRPC method.
 */
public abstract class ServiceFoundationTestBase {

    @Inject
    AgroalDataSource dataSource;

    /** A unary method of this service's gRPC API, such as {@code rapport.profile.v1.ProfileService/GetProfile}. */
    protected abstract String grpcMethod();

    /** What {@link #grpcMethod()} answers an authorised caller that sends an empty request. */
    protected abstract Status.Code grpcCodeForEmptyAuthorisedRequest();

    @Test
    void isLiveAndReadyWithItsDatabaseRedisAndKeycloak() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("database-schema"))
                .body("checks.name", hasItem("Redis connection health check"))
                .body("checks.find { it.name == 'database-schema' }.status", equalTo("UP"));
    }

    @Test
    void appliedItsFlywayMigrationsToItsOwnDatabase() throws SQLException {
        List<String> applied = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT version, success, current_database() FROM flyway_schema_history ORDER BY installed_rank")) {
            while (rs.next()) {
                assertThat(rs.getBoolean(2)).as("migration %s succeeded", rs.getString(1)).isTrue();
                assertThat(rs.getString(3)).startsWith("rapport_").endsWith("_test");
                applied.add(rs.getString(1));
            }
        }
        assertThat(applied).startsWith("1");
    }

    @Test
    void servesPrometheusMetricsAndOpenApi() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200)
                .body("openapi", startsWith("3."))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/me"));
    }

    @Test
    void restWithoutTokenIsUnauthorisedWithProblemDetails() {
        given().when().get("/api/v1/me").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401))
                .body("reason", equalTo("unauthenticated"));
    }

    @Test
    void restWithForgedOrGarbageTokenIsUnauthorised() {
        String token = TestTokens.user("integrator");
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        given().auth().oauth2(forged).when().get("/api/v1/me").then().statusCode(401)
                .contentType("application/problem+json");
        given().auth().oauth2("not-a-token").when().get("/api/v1/me").then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void restWithTokenLackingTheRoleIsForbidden() {
        given().auth().oauth2(TestTokens.user("nobody")).when().get("/api/v1/me").then().statusCode(403)
                .contentType("application/problem+json")
                .body("status", equalTo(403))
                .body("reason", equalTo("missing_role"));
        given().auth().oauth2(TestTokens.service("campaign-service")).when().get("/api/v1/me").then().statusCode(403);
    }

    @Test
    void restWithTheRightRoleAnswers() {
        given().auth().oauth2(TestTokens.user("integrator")).when().get("/api/v1/me").then().statusCode(200)
                .body("name", equalTo("integrator"))
                .body("roles", equalTo(List.of("integrator")));
        given().auth().oauth2(TestTokens.user("admin")).when().get("/api/v1/me").then().statusCode(200)
                .body("roles", equalTo(List.of("admin", "agent", "integrator", "marketer")));
    }

    @Test
    void unknownPathsAndMethodsAnswerProblemDetails() {
        given().auth().oauth2(TestTokens.user("admin")).when().get("/api/v1/no-such-thing").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        given().auth().oauth2(TestTokens.user("admin")).when().delete("/api/v1/me").then().statusCode(405)
                .contentType("application/problem+json").body("status", equalTo(405));
    }

    @Test
    void masksPersonalDataInItsLogs() throws Exception {
        String marker = UUID.randomUUID().toString();
        Logger.getLogger(ServiceFoundationTestBase.class).infof("masking check %s: wrote to ivan.petrov@example.com and +7 916 123-45-67", marker);
        Path file = Path.of("target/quarkus-test.log");
        String line = null;
        for (int i = 0; i < 50 && line == null; i++) {
            line = Files.readAllLines(file).stream().filter(l -> l.contains(marker)).findFirst().orElse(null);
            if (line == null) {
                Thread.sleep(100);
            }
        }
        assertThat(line).as("the log line").isNotNull()
                .contains("i***@e***.com", "+* *** ***-**-67")
                .doesNotContain("ivan.petrov", "916 123");
    }

    @Test
    void grpcWithoutTokenIsUnauthenticated() {
        try (RawGrpc grpc = new RawGrpc("localhost", RestAssured.port)) {
            assertThat(grpc.call(grpcMethod(), new byte[0], null)).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(grpc.call(grpcMethod(), new byte[0], "garbage")).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void grpcWithAUserTokenIsDenied() {
        try (RawGrpc grpc = new RawGrpc("localhost", RestAssured.port)) {
            assertThat(grpc.call(grpcMethod(), new byte[0], TestTokens.user("admin")))
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
        }
    }

    @Test
    void grpcWithAServiceTokenReachesTheService() {
        try (RawGrpc grpc = new RawGrpc("localhost", RestAssured.port)) {
            assertThat(grpc.call(grpcMethod(), new byte[0], TestTokens.service("campaign-service")))
                    .isEqualTo(grpcCodeForEmptyAuthorisedRequest());
        }
    }
}

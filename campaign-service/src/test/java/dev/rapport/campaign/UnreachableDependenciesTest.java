package dev.rapport.campaign;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A service started while PostgreSQL, Redis and Keycloak cannot be reached stays up and live, reports not-ready, and
 * says in one log line each what it could not reach.
 */
@QuarkusTest
@TestProfile(UnreachableDependenciesTest.NothingAnswers.class)
class UnreachableDependenciesTest {

    /** Points every dependency at a port nothing listens on. */
    public static class NothingAnswers implements QuarkusTestProfile {
        static final int DEAD_PORT = closedPort();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "rapport.database.port", String.valueOf(DEAD_PORT),
                    "rapport.database.retry-interval", "1s",
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + DEAD_PORT,
                    "quarkus.oidc.auth-server-url", "http://127.0.0.1:" + DEAD_PORT + "/realms/rapport",
                    "quarkus.oidc.connection-delay", "0s",
                    "quarkus.log.file.path", "target/unreachable-test.log");
        }

        private static int closedPort() {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void staysLiveButNotReadyAndNamesWhatIsDown() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'database-schema' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'database-schema' }.data.database",
                        equalTo("127.0.0.1:" + NothingAnswers.DEAD_PORT + "/rapport_campaign_test"))
                .body("checks.find { it.name == 'Redis connection health check' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'OIDC Provider Health Check' }.status", startsWith("DOWN"));
    }

    @Test
    void saysInOneLogLineEachWhatItCannotReach() throws Exception {
        Path log = Path.of("target/unreachable-test.log");
        List<String> errors = List.of();
        for (int i = 0; i < 50; i++) {
            errors = Files.readAllLines(log).stream().filter(l -> l.contains("ERROR")).toList();
            if (errors.size() >= 3) {
                break;
            }
            Thread.sleep(100);
        }
        String port = String.valueOf(NothingAnswers.DEAD_PORT);
        assertThat(errors).filteredOn(l -> l.contains("Cannot prepare PostgreSQL database 127.0.0.1:" + port))
                .hasSize(1);
        assertThat(errors).filteredOn(l -> l.contains("Cannot reach Redis at redis://127.0.0.1:" + port)).hasSize(1);
        assertThat(errors).filteredOn(l -> l.contains("Cannot reach Keycloak at http://127.0.0.1:" + port)).hasSize(1);
    }
}

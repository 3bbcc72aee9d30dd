package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.rapport.common.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A person who signed up a moment ago can get a one-time code at once: suppression-service has not seen their first
 * event yet (the event stream is held still here, with Redis refusing writes for a few seconds), so it asks
 * profile-service for their addresses instead of denying them as unreachable.
 */
@ExtendWith(Suite.class)
class NewcomerIT {

    @Test
    void aPersonWhoSignedUpAMomentAgoGetsTheirOneTimeCodeBeforeTheStreamCatchesUp() throws IOException {
        String phone = "+7916" + String.format("%07d", Math.floorMod(UUID.randomUUID().hashCode(), 10_000_000));
        redis("CLIENT", "PAUSE", "6000", "WRITE");
        try {
            String profile = given().port(Suite.port("profile-service")).auth().oauth2(TestTokens.user("integrator"))
                    .contentType(ContentType.JSON).body(Map.of("id", "it-" + UUID.randomUUID(), "type", "signed_up",
                            "channel", "app", "occurredAt", Instant.now().minusSeconds(1).toString(),
                            "identifiers", Map.of("phone", phone)))
                    .when().post("/api/v1/events").then().statusCode(202).extract().path("accepted[0].profileId");
            JsonPath otp = given().port(Suite.port("suppression-service")).auth().oauth2(TestTokens.user("integrator"))
                    .contentType(ContentType.JSON).body(Map.of("profileId", profile, "channel", "sms",
                            "purpose", "transactional"))
                    .when().post("/api/v1/decisions").then().statusCode(200).extract().jsonPath();
            assertThat(otp.getString("decision")).as(otp.prettify()).isEqualTo("allow");
            assertThat(otp.getList("reasons")).isEmpty();
            assertThat(otp.getString("profileId")).isEqualTo(profile);
        } finally {
            redis("CLIENT", "UNPAUSE");
        }
    }

    /** One command to the suite's Redis, in its own protocol; answers the first line of the reply. */
    static String redis(String... command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", 6379)) {
            StringBuilder out = new StringBuilder("*" + command.length + "\r\n");
            for (String part : command) {
                out.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part)
                        .append("\r\n");
            }
            OutputStream o = s.getOutputStream();
            o.write(out.toString().getBytes(StandardCharsets.UTF_8));
            o.flush();
            InputStream in = s.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                reply.append((char) c);
            }
            String line = reply.toString().strip();
            assertThat(line).as("Redis answers " + String.join(" ", command)).startsWith("+");
            return line;
        }
    }
}

package dev.rapport.profile.stream;

import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.ProfileFixtures;
import dev.rapport.profile.service.EventIntake;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every stored event reaches the event stream as a CloudEvent, in order per partition. */
@QuarkusTest
class EventStreamTest {

    @Inject
    RedisDataSource redis;
    @Inject
    EventPublisher publisher;
    @Inject
    EventIntake intake;

    @Test
    void publishesEachStoredEventOnceAsACloudEventOnItsProfilesPartition() throws Exception {
        String mail = email();
        Instant at = Instant.now().minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> e = event("product_viewed", at.plusSeconds(i), "email", mail.toUpperCase(), "phone",
                    "8 (916) 555-0" + (100 + i % 1));
            e.put("properties", Map.of("productId", "hoop-" + i));
            e.put("traits", Map.of("firstName", "Иван"));
            events.add(e);
        }
        Map<String, Object> rejected = ProfileFixtures.with(event("product_viewed", at, "email", mail), "type", "BAD TYPE");
        List<Map<String, Object>> batch = new ArrayList<>(events);
        batch.add(rejected);
        String profile = given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON)
                .body(Map.of("events", batch)).when().post("/api/v1/events").then().statusCode(202)
                .extract().path("accepted[0].profileId");
        String stream = publisher.streamName(intake.partition(profile));

        JsonNode first = await(() -> StreamReader.find(redis, stream, (String) events.get(4).get("id")));
        assertThat(first).as("published within seconds").isNotNull();
        JsonNode ce = StreamReader.find(redis, stream, (String) events.get(0).get("id"));
        assertThat(ce.get("specversion").asText()).isEqualTo("1.0");
        assertThat(ce.get("source").asText()).isEqualTo("/rapport/profile-service");
        assertThat(ce.get("type").asText()).isEqualTo("product_viewed");
        assertThat(ce.get("subject").asText()).isEqualTo(profile);
        assertThat(ce.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(Instant.parse(ce.get("time").asText())).isEqualTo(at);
        JsonNode data = ce.get("data");
        assertThat(data.get("profileId").asText()).isEqualTo(profile);
        assertThat(data.get("channel").asText()).isEqualTo("web");
        assertThat(data.at("/identifiers/email").asText()).isEqualTo(mail);
        assertThat(data.at("/identifiers/phone").asText()).isEqualTo("+79165550100");
        assertThat(data.at("/properties/productId").asText()).isEqualTo("hoop-0");
        assertThat(data.at("/traits/firstName").asText()).isEqualTo("Иван");

        List<String> order = StreamReader.read(redis, stream).stream().map(e -> e.get("id").asText())
                .filter(id -> events.stream().anyMatch(e -> e.get("id").equals(id))).toList();
        assertThat(order).as("each once, in intake order")
                .containsExactlyElementsOf(events.stream().map(e -> (String) e.get("id")).toList());
        assertThat(StreamReader.find(redis, stream, (String) rejected.get("id"))).as("a rejected event is never published")
                .isNull();

        // a duplicate is not published again
        given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON).body(events.get(0))
                .when().post("/api/v1/events").then().statusCode(202);
        Thread.sleep(1500);
        assertThat(StreamReader.read(redis, stream).stream().filter(e -> e.get("id").asText()
                .equals(events.get(0).get("id"))).count()).isEqualTo(1);
    }

    interface Probe {
        JsonNode get() throws Exception;
    }

    static JsonNode await(Probe probe) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode found = probe.get();
            if (found != null) {
                return found;
            }
            Thread.sleep(100);
        }
        return null;
    }
}

package dev.rapport.stubs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the stand-ins received is listed with the answers' statuses, per stand-in, and never grows without bound. */
class ReceivedTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode get(StubServer stubs, String path, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    @Test
    void oneStandInsListHasEachRequestWithItsAnswersStatus() throws Exception {
        try (StubServer stubs = StubServer.start(0, "agent@example.com", "t0ken")) {
            get(stubs, "/zendesk/api/v2/tickets/1", 401);
            JsonNode zendesk = get(stubs, "/_received/zendesk", 200);
            assertThat(zendesk).hasSize(1);
            assertThat(zendesk.get(0).path("method").asText()).isEqualTo("GET");
            assertThat(zendesk.get(0).path("path").asText()).isEqualTo("/zendesk/api/v2/tickets/1");
            assertThat(zendesk.get(0).path("status").asInt()).isEqualTo(401);
            assertThat(zendesk.get(0).path("answer").path("error").asText()).isEqualTo("Couldn't authenticate you");
            assertThat(get(stubs, "/_received", 200).path("zendesk")).isEqualTo(zendesk);
            assertThat(get(stubs, "/_received/nothing", 404).path("error").asText()).contains("zendesk");
        }
    }

    @Test
    void theOldestRequestsGoFirstBeyondTheCountOrTheBytesKept() throws Exception {
        Received few = new Received(3, 1 << 20);
        Received small = new Received(100, 200);
        for (int i = 0; i < 5; i++) {
            few.add(("{\"n\":" + i + "}").getBytes());
            small.add(("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(80) + "\"}").getBytes());
        }
        assertThat(few.list()).extracting(n -> n.path("n").asInt()).containsExactly(2, 3, 4);
        assertThat(small.list()).extracting(n -> n.path("n").asInt()).containsExactly(3, 4);
    }
}

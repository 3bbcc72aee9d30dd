package dev.rapport.stubs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Zendesk stand-in answers as Zendesk's ticket API documents it, errors included. */
class ZendeskStubTest {

    static StubServer stubs;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String AUTH = "Basic " + Base64.getEncoder()
            .encodeToString("agent@example.com/token:t0ken".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void start() throws Exception {
        stubs = StubServer.start(0, "agent@example.com", "t0ken");
    }

    @AfterAll
    static void stop() {
        stubs.close();
    }

    static HttpResponse<String> call(String method, String path, String body, String auth, String key)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stubs.base() + "/zendesk" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCreatedTicketCanBeReadUpdatedAndDeleted() throws Exception {
        String create = "{\"ticket\":{\"subject\":\"Жалоба\",\"comment\":{\"body\":\"Заказ не пришёл\"},"
                + "\"requester\":{\"name\":\"Иван\",\"email\":\"ivan@example.com\"},\"tags\":[\"rapport\"]}}";
        HttpResponse<String> created = call("POST", "/api/v2/tickets.json", create, AUTH, null);
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode ticket = JSON.readTree(created.body()).path("ticket");
        long id = ticket.path("id").asLong();
        assertThat(ticket.path("status").asText()).isEqualTo("new");
        assertThat(created.headers().firstValue("Location")).hasValue(ticket.path("url").asText());
        assertThat(stubs.zendesk().comments(id)).containsExactly("Заказ не пришёл");

        HttpResponse<String> solved = call("PUT", "/api/v2/tickets/" + id, "{\"ticket\":{\"status\":\"solved\"}}",
                AUTH, null);
        assertThat(JSON.readTree(solved.body()).path("ticket").path("status").asText()).isEqualTo("solved");
        assertThat(JSON.readTree(call("GET", "/api/v2/tickets/" + id + ".json", null, AUTH, null).body())
                .path("ticket").path("status").asText()).isEqualTo("solved");
        assertThat(call("DELETE", "/api/v2/tickets/" + id, null, AUTH, null).statusCode()).isEqualTo(204);
        HttpResponse<String> gone = call("GET", "/api/v2/tickets/" + id, null, AUTH, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(gone.body()).path("error").asText()).isEqualTo("RecordNotFound");
    }

    @Test
    void anIdempotencyKeyMakesOneTicketAndRefusesAnotherBody() throws Exception {
        String create = "{\"ticket\":{\"comment\":{\"body\":\"help\"}}}";
        HttpResponse<String> first = call("POST", "/api/v2/tickets", create, AUTH, "key-1");
        HttpResponse<String> again = call("POST", "/api/v2/tickets", create, AUTH, "key-1");
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(first.headers().firstValue("x-idempotency-lookup")).hasValue("miss");
        assertThat(again.headers().firstValue("x-idempotency-lookup")).hasValue("hit");
        HttpResponse<String> other = call("POST", "/api/v2/tickets", "{\"ticket\":{\"comment\":{\"body\":\"x\"}}}",
                AUTH, "key-1");
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(other.body()).contains("IdempotentRequestError");
    }

    @Test
    void wrongCredentialsMissingDescriptionAndBusyAnswersAreZendesks() throws Exception {
        assertThat(call("GET", "/api/v2/tickets/1", null, null, null).statusCode()).isEqualTo(401);
        String wrong = "Basic " + Base64.getEncoder().encodeToString("agent@example.com/token:guess".getBytes());
        assertThat(call("GET", "/api/v2/tickets/1", null, wrong, null).body()).contains("Couldn't authenticate you");
        HttpResponse<String> blank = call("POST", "/api/v2/tickets", "{\"ticket\":{\"subject\":\"s\"}}", AUTH, null);
        assertThat(blank.statusCode()).isEqualTo(422);
        assertThat(blank.body()).contains("RecordInvalid");
        stubs.zendesk().failNext(429, 1);
        HttpResponse<String> busy = call("GET", "/api/v2/tickets/1", null, AUTH, null);
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(call("GET", "/api/v2/tickets/1", null, AUTH, null).statusCode()).isEqualTo(404);
        HttpResponse<String> received = HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base() + "/_received"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(received.body()).path("zendesk").size()).isGreaterThanOrEqualTo(5);
    }
}

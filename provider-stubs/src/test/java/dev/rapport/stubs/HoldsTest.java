package dev.rapport.stubs;

import static dev.rapport.stubs.ReceivedTest.HTTP;
import static dev.rapport.stubs.ReceivedTest.JSON;
import static dev.rapport.stubs.ReceivedTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** A held stand-in keeps its callers waiting in the middle of the call until it is let go, then answers as usual. */
class HoldsTest {

    @Test
    void aHeldStandInAnswersOnlyOnceLetGoAndSaysHowManyWait() throws Exception {
        try (StubServer stubs = StubServer.start(0, "agent@example.com", "t0ken")) {
            assertThat(send(stubs, "POST", "/_hold/zendesk").path("holding").asBoolean()).isTrue();
            CompletableFuture<HttpResponse<String>> call = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(
                    stubs.base() + "/zendesk/api/v2/tickets/1")).build(), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stubs.holds().held("zendesk") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(get(stubs, "/_hold/zendesk", 200).path("held").asInt()).isEqualTo(1);
            assertThat(call).isNotDone();
            assertThat(get(stubs, "/_received/zendesk", 200)).as("not handled yet").isEmpty();

            assertThat(send(stubs, "DELETE", "/_hold/zendesk").path("holding").asBoolean()).isFalse();
            assertThat(call.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            assertThat(get(stubs, "/_received/zendesk", 200)).hasSize(1);
            assertThat(get(stubs, "/_hold/nothing", 404).path("error").asText()).contains("twilio");
        }
    }

    private static JsonNode send(StubServer stubs, String method, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

package dev.rapport.stubs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The SendGrid stand-in answers as the v3 Mail Send API documents it, errors included. */
class SendgridStubTest {

    static final String KEY = "SG.test.key";
    static final String MAIL = "{\"personalizations\":[{\"to\":[{\"email\":\"ivan@example.com\",\"name\":\"Иван\"}],"
            + "\"custom_args\":{\"delivery\":\"d-1\"}}],\"from\":{\"email\":\"shop@example.com\",\"name\":\"Shop\"},"
            + "\"subject\":\"Заказ отправлен\",\"content\":[{\"type\":\"text/plain\",\"value\":\"В пути\"},"
            + "{\"type\":\"text/html\",\"value\":\"<p>В пути</p>\"}],\"headers\":{\"List-Unsubscribe\":"
            + "\"<https://example.com/u>\"},\"custom_args\":{\"campaign\":\"c-1\"}}";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static StubServer stubs;

    @BeforeAll
    static void start() throws Exception {
        stubs = StubServer.start(0, StubServer.Credentials.demo().withSendgrid(KEY));
    }

    @AfterAll
    static void stop() {
        stubs.close();
    }

    static HttpResponse<String> send(String key, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stubs.base() + "/sendgrid/v3/mail/send"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode errors(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        return JSON.readTree(r.body()).path("errors");
    }

    @Test
    void aMailIsAcceptedWithAMessageId() throws Exception {
        HttpResponse<String> r = send(KEY, MAIL);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEmpty();
        String id = r.headers().firstValue("X-Message-Id").orElseThrow();
        assertThat(id).isNotBlank();

        JsonNode received = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base()
                + "/_received/sendgrid")).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode last = received.get(received.size() - 1);
        assertThat(last.path("status").asInt()).isEqualTo(202);
        assertThat(last.path("messageId").asText()).isEqualTo(id);
        assertThat(last.path("body").path("subject").asText()).isEqualTo("Заказ отправлен");
        assertThat(last.path("body").path("personalizations").get(0).path("custom_args").path("delivery").asText())
                .isEqualTo("d-1");
    }

    @Test
    void anotherKeyIsRefused() throws Exception {
        JsonNode e = errors(send("SG.guess", MAIL), 401);
        assertThat(e.get(0).path("message").asText())
                .isEqualTo("The provided authorization grant is invalid, expired, or revoked");
        assertThat(e.get(0).path("field").isNull()).isTrue();
        assertThat(e.get(0).path("help").isNull()).isTrue();
        errors(send(null, MAIL), 401);
    }

    @Test
    void everyMissingPartIsListedWithItsField() throws Exception {
        JsonNode e = errors(send(KEY, "{\"personalizations\":[{}]}"), 400);
        assertThat(e).extracting(n -> n.path("field").asText())
                .containsExactly("personalizations.0.to", "from.email", "subject", "content");
        assertThat(e).allSatisfy(n -> assertThat(n.path("help").asText()).startsWith("http"));
        assertThat(e).allSatisfy(n -> assertThat(n.path("message").asText()).isNotBlank());
        assertThat(errors(send(KEY, "{\"from\":{\"email\":\"a@example.com\"},\"subject\":\"s\",\"content\":"
                + "[{\"type\":\"text/plain\",\"value\":\"v\"}]}"), 400)).extracting(n -> n.path("field").asText())
                .containsExactly("personalizations");
        assertThat(errors(send(KEY, MAIL.replace("ivan@example.com", "ivan")), 400).get(0).path("field").asText())
                .isEqualTo("personalizations.0.to.0.email");
        assertThat(send(KEY, "{\"personalizations\":[{\"to\":[{\"email\":\"a@example.com\"}]}],\"from\":{\"email\":"
                + "\"b@example.com\"},\"template_id\":\"d-123\"}").statusCode()).as("a template has both")
                .isEqualTo(202);
    }

    @Test
    void aBusySendgridAnswers429WithItsRateLimitHeaders() throws Exception {
        stubs.sendgrid().failNext(429, 1);
        HttpResponse<String> r = send(KEY, MAIL);
        assertThat(errors(r, 429).get(0).path("message").asText()).isEqualTo("too many requests");
        assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(r.headers().firstValue("X-RateLimit-Reset")).isPresent();
        assertThat(send(KEY, MAIL).statusCode()).isEqualTo(202);
    }
}

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

/** The Telegram stand-in answers as the Bot API documents it, errors included. */
class TelegramStubTest {

    static final String TOKEN = "123456:test-bot-token";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static StubServer stubs;

    @BeforeAll
    static void start() throws Exception {
        stubs = StubServer.start(0, StubServer.Credentials.demo().withTelegram(TOKEN));
    }

    @AfterAll
    static void stop() {
        stubs.close();
    }

    static HttpResponse<String> call(String token, String method, String type, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base() + "/telegram/bot" + token + "/" + method))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String json) throws Exception {
        return call(TOKEN, "sendMessage", "application/json", json);
    }

    static JsonNode refused(HttpResponse<String> r, int status, String description) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.path("ok").asBoolean(true)).isFalse();
        assertThat(e.path("error_code").asInt()).isEqualTo(status);
        assertThat(e.path("description").asText()).isEqualTo(description);
        return e;
    }

    @Test
    void aSentMessageIsAnsweredWithTheMessage() throws Exception {
        HttpResponse<String> r = send("{\"chat_id\":42,\"text\":\"Ваш заказ в пути\",\"parse_mode\":\"HTML\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("ok").asBoolean()).isTrue();
        JsonNode m = answer.path("result");
        assertThat(m.path("message_id").asLong()).isPositive();
        assertThat(m.path("date").asLong()).isPositive();
        assertThat(m.path("chat").path("id").asLong()).isEqualTo(42);
        assertThat(m.path("chat").path("type").asText()).isEqualTo("private");
        assertThat(m.path("text").asText()).isEqualTo("Ваш заказ в пути");
        assertThat(m.path("from").path("id").asLong()).isEqualTo(123456);

        JsonNode next = JSON.readTree(call(TOKEN, "sendMessage", "application/x-www-form-urlencoded",
                "chat_id=42&text=%D0%95%D1%89%D1%91").body()).path("result");
        assertThat(next.path("text").asText()).isEqualTo("Ещё");
        assertThat(next.path("message_id").asLong()).isGreaterThan(m.path("message_id").asLong());

        JsonNode received = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base()
                + "/_received/telegram")).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode first = received.get(received.size() - 2);
        assertThat(first.path("path").asText()).isEqualTo("/telegram/bot" + TOKEN + "/sendMessage");
        assertThat(first.path("body").path("text").asText()).isEqualTo("Ваш заказ в пути");
        assertThat(first.path("status").asInt()).isEqualTo(200);
        assertThat(received.get(received.size() - 1).path("body").path("chat_id").asText()).isEqualTo("42");
    }

    @Test
    void anotherTokenIsUnauthorized() throws Exception {
        refused(call("123456:guess", "sendMessage", "application/json", "{\"chat_id\":1,\"text\":\"x\"}"), 401,
                "Unauthorized");
    }

    @Test
    void anEmptyTextOrMissingChatIsABadRequest() throws Exception {
        refused(send("{\"chat_id\":42,\"text\":\"\"}"), 400, "Bad Request: message text is empty");
        refused(send("{\"text\":\"x\"}"), 400, "Bad Request: chat_id is empty");
        refused(send("{\"chat_id\":42,\"text\":\"" + "x".repeat(4097) + "\"}"), 400,
                "Bad Request: message is too long");
        refused(send("{\"chat_id\":42,\"text\":\"x\",\"parse_mode\":\"RTF\"}"), 400,
                "Bad Request: unsupported parse_mode");
    }

    @Test
    void aChatThatBlockedTheBotIsForbidden() throws Exception {
        stubs.telegram().block("777");
        refused(send("{\"chat_id\":777,\"text\":\"x\"}"), 403, "Forbidden: bot was blocked by the user");
        stubs.telegram().unblock("777");
        assertThat(send("{\"chat_id\":777,\"text\":\"x\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void floodControlTellsTheBotWhenToRetry() throws Exception {
        stubs.telegram().failNext(429, 1);
        JsonNode e = refused(send("{\"chat_id\":42,\"text\":\"x\"}"), 429, "Too Many Requests: retry after 5");
        assertThat(e.path("parameters").path("retry_after").asInt()).isEqualTo(5);
        assertThat(send("{\"chat_id\":42,\"text\":\"x\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void getMeDescribesTheBotAndOtherMethodsAreNotFound() throws Exception {
        JsonNode me = JSON.readTree(call(TOKEN, "getMe", "application/json", "").body());
        assertThat(me.path("result").path("is_bot").asBoolean()).isTrue();
        refused(call(TOKEN, "sendTelepathy", "application/json", "{}"), 404, "Not Found");
    }
}

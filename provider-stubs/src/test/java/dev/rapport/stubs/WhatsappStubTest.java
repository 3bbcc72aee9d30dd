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

/** The WhatsApp stand-in answers as the Cloud API documents it, Graph API errors included. */
class WhatsappStubTest {

    static final String TOKEN = "EAAtest";
    static final String PHONE = "106540352242922";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static StubServer stubs;

    @BeforeAll
    static void start() throws Exception {
        stubs = StubServer.start(0, StubServer.Credentials.demo().withWhatsapp(TOKEN, PHONE));
    }

    @AfterAll
    static void stop() {
        stubs.close();
    }

    static HttpResponse<String> send(String phone, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stubs.base() + "/whatsapp/v21.0/" + phone
                + "/messages")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String text(String to, String body) {
        return "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"" + to
                + "\",\"type\":\"text\",\"text\":{\"body\":\"" + body + "\"}}";
    }

    static JsonNode refused(HttpResponse<String> r, int status, int code) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body()).path("error");
        assertThat(e.path("code").asInt()).isEqualTo(code);
        assertThat(e.path("type").asText()).isNotEmpty();
        assertThat(e.path("fbtrace_id").asText()).isNotEmpty();
        return e;
    }

    @Test
    void aTextMessageIsAnsweredWithItsWamid() throws Exception {
        HttpResponse<String> r = send(PHONE, TOKEN, text("+79161234567", "Ваш заказ в пути"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode ok = JSON.readTree(r.body());
        assertThat(ok.path("messaging_product").asText()).isEqualTo("whatsapp");
        assertThat(ok.path("contacts").get(0).path("input").asText()).isEqualTo("+79161234567");
        assertThat(ok.path("contacts").get(0).path("wa_id").asText()).isEqualTo("79161234567");
        assertThat(ok.path("messages").get(0).path("id").asText()).startsWith("wamid.");

        JsonNode received = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base()
                + "/_received/whatsapp")).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode last = received.get(received.size() - 1);
        assertThat(last.path("path").asText()).isEqualTo("/whatsapp/v21.0/" + PHONE + "/messages");
        assertThat(last.path("body").path("text").path("body").asText()).isEqualTo("Ваш заказ в пути");
        assertThat(last.path("status").asInt()).isEqualTo(200);
        assertThat(last.path("answer").path("messages").get(0).path("id").asText())
                .isEqualTo(ok.path("messages").get(0).path("id").asText());
    }

    @Test
    void aTemplateMessageIsAccepted() throws Exception {
        HttpResponse<String> r = send(PHONE, TOKEN, "{\"messaging_product\":\"whatsapp\",\"to\":\"79161234567\","
                + "\"type\":\"template\",\"template\":{\"name\":\"order_shipped\",\"language\":{\"code\":\"ru\"}}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("messages").get(0).path("message_status").asText())
                .isEqualTo("accepted");
    }

    @Test
    void aMissingOrWrongTokenIsRefusedWithCode190() throws Exception {
        JsonNode e = refused(send(PHONE, null, text("+79161234567", "x")), 401, 190);
        assertThat(e.path("type").asText()).isEqualTo("OAuthException");
        refused(send(PHONE, "guess", text("+79161234567", "x")), 401, 190);
    }

    @Test
    void anotherPhoneNumberIdOrAnInvalidMessageIsABadRequest() throws Exception {
        assertThat(refused(send("999", TOKEN, text("+79161234567", "x")), 400, 100).path("type").asText())
                .isEqualTo("GraphMethodException");
        refused(send(PHONE, TOKEN, text("+79161234567", "")), 400, 131008);
        refused(send(PHONE, TOKEN, "{\"to\":\"79161234567\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}"), 400,
                100);
    }

    @Test
    void aMarkedNumberIsUndeliverable() throws Exception {
        stubs.whatsapp().undeliverable("+79160000000");
        JsonNode e = refused(send(PHONE, TOKEN, text("79160000000", "x")), 400, 131026);
        assertThat(e.path("message").asText()).contains("Message undeliverable");
    }

    @Test
    void throughputReachedIsRateLimitHit() throws Exception {
        stubs.whatsapp().failNext(429, 1);
        JsonNode e = refused(send(PHONE, TOKEN, text("+79161234567", "x")), 429, 130429);
        assertThat(e.path("message").asText()).contains("Rate limit hit");
        assertThat(send(PHONE, TOKEN, text("+79161234567", "x")).statusCode()).isEqualTo(200);
    }
}

package dev.rapport.stubs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Twilio stand-in answers as Twilio's Messages API documents it, errors included. */
class TwilioStubTest {

    static final String SID = "AC0123456789abcdef0123456789abcdef";
    static final String AUTH = basic(SID + ":s3cret");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static StubServer stubs;

    @BeforeAll
    static void start() throws Exception {
        stubs = StubServer.start(0, StubServer.Credentials.demo().withTwilio(SID, "s3cret"));
    }

    @AfterAll
    static void stop() {
        stubs.close();
    }

    static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> send(Map<String, String> form, String auth) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stubs.base() + "/twilio/2010-04-01/Accounts/" + SID
                + "/Messages.json")).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> sms(String to, String text) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("To", to);
        form.put("From", "+15005550006");
        form.put("Body", text);
        return form;
    }

    static JsonNode error(HttpResponse<String> r, int status, int code) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.path("code").asInt()).isEqualTo(code);
        assertThat(e.path("status").asInt()).isEqualTo(status);
        assertThat(e.path("more_info").asText()).isEqualTo("https://www.twilio.com/docs/errors/" + code);
        return e;
    }

    @Test
    void aSentMessageIsQueuedAndCanBeReadBack() throws Exception {
        Map<String, String> form = sms("+79161234567", "Ваш заказ в пути");
        form.put("StatusCallback", "http://127.0.0.1:8084/callbacks/twilio");
        HttpResponse<String> sent = send(form, AUTH);
        assertThat(sent.statusCode()).isEqualTo(201);
        JsonNode m = JSON.readTree(sent.body());
        assertThat(m.path("sid").asText()).matches("SM[0-9a-f]{32}");
        assertThat(m.path("status").asText()).isEqualTo("queued");
        assertThat(m.path("to").asText()).isEqualTo("+79161234567");
        assertThat(m.path("from").asText()).isEqualTo("+15005550006");
        assertThat(m.path("body").asText()).isEqualTo("Ваш заказ в пути");
        assertThat(m.path("num_segments").isTextual()).isTrue();
        assertThat(m.path("num_segments").asText()).isEqualTo("1");
        assertThat(m.path("account_sid").asText()).isEqualTo(SID);
        assertThat(m.path("direction").asText()).isEqualTo("outbound-api");
        assertThat(m.path("price").isNull()).isTrue();
        assertThat(m.path("error_code").isNull()).isTrue();
        assertThat(m.path("uri").asText()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Messages/"
                + m.path("sid").asText() + ".json");
        ZonedDateTime created = ZonedDateTime.parse(m.path("date_created").asText(),
                DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(created).isNotNull();

        HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base() + "/twilio"
                + m.path("uri").asText())).header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).path("sid").asText()).isEqualTo(m.path("sid").asText());
        stubs.twilio().setStatus(m.path("sid").asText(), "delivered");
        assertThat(stubs.twilio().message(m.path("sid").asText()).path("status").asText()).isEqualTo("delivered");

        JsonNode last = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base() + "/_received/twilio"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode post = last.get(last.size() - 2);
        assertThat(post.path("method").asText()).isEqualTo("POST");
        assertThat(post.path("body").path("Body").asText()).isEqualTo("Ваш заказ в пути");
        assertThat(post.path("body").path("StatusCallback").asText()).endsWith("/callbacks/twilio");
        assertThat(post.path("status").asInt()).isEqualTo(201);
        assertThat(post.path("answer").path("sid").asText()).isEqualTo(m.path("sid").asText());
    }

    @Test
    void aMessagingServiceSendIsAcceptedWithoutAFromNumber() throws Exception {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("To", "+15558675310");
        form.put("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef");
        form.put("Body", "hi");
        JsonNode m = JSON.readTree(send(form, AUTH).body());
        assertThat(m.path("status").asText()).isEqualTo("accepted");
        assertThat(m.path("from").isNull()).isTrue();
        assertThat(m.path("messaging_service_sid").asText()).isEqualTo("MG0123456789abcdef0123456789abcdef");
    }

    @Test
    void segmentsAreCountedInGsm7OrUcs2() {
        assertThat(TwilioStub.segments("a".repeat(160))).isEqualTo(1);
        assertThat(TwilioStub.segments("a".repeat(161))).isEqualTo(2);
        assertThat(TwilioStub.segments("a".repeat(306))).isEqualTo(2);
        assertThat(TwilioStub.segments("a".repeat(307))).isEqualTo(3);
        assertThat(TwilioStub.segments("€".repeat(80))).isEqualTo(1);
        assertThat(TwilioStub.segments("€".repeat(81))).isEqualTo(2);
        assertThat(TwilioStub.segments("я".repeat(70))).isEqualTo(1);
        assertThat(TwilioStub.segments("я".repeat(71))).isEqualTo(2);
        assertThat(TwilioStub.segments("я".repeat(134))).isEqualTo(2);
        assertThat(TwilioStub.segments("я".repeat(135))).isEqualTo(3);
    }

    @Test
    void wrongCredentialsAreRefusedWithError20003() throws Exception {
        HttpResponse<String> none = send(sms("+79161234567", "x"), null);
        JsonNode e = error(none, 401, 20003);
        assertThat(e.path("message").asText()).isEqualTo("Authenticate");
        error(send(sms("+79161234567", "x"), basic(SID + ":guess")), 401, 20003);
    }

    @Test
    void badRecipientsAndEmptyBodiesAreRefusedTheTwilioWay() throws Exception {
        assertThat(error(send(sms("89161234567", "x"), AUTH), 400, 21211).path("message").asText())
                .isEqualTo("The 'To' number 89161234567 is not a valid phone number.");
        assertThat(error(send(sms("+79160000000", ""), AUTH), 400, 21602).path("message").asText())
                .isEqualTo("Message body is required.");
        stubs.twilio().optOut("+79160000001");
        assertThat(error(send(sms("+79160000001", "x"), AUTH), 400, 21610).path("message").asText())
                .isEqualTo("Attempt to send to unsubscribed recipient");
        stubs.twilio().optIn("+79160000001");
        assertThat(send(sms("+79160000001", "x"), AUTH).statusCode()).isEqualTo(201);
        Map<String, String> noFrom = sms("+79160000002", "x");
        noFrom.remove("From");
        error(send(noFrom, AUTH), 400, 21603);
    }

    @Test
    void aBusyTwilioAnswers429ThenRecovers() throws Exception {
        stubs.twilio().failNext(429, 2);
        assertThat(error(send(sms("+79161234567", "x"), AUTH), 429, 20429).path("message").asText())
                .isEqualTo("Too Many Requests");
        error(send(sms("+79161234567", "x"), AUTH), 429, 20429);
        assertThat(send(sms("+79161234567", "x"), AUTH).statusCode()).isEqualTo(201);
    }

    @Test
    void anUnknownMessageOrAnotherAccountIsNotFound() throws Exception {
        String messages = stubs.base() + "/twilio/2010-04-01/Accounts/";
        error(HTTP.send(HttpRequest.newBuilder(URI.create(messages + SID + "/Messages/SM" + "0".repeat(32) + ".json"))
                .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()), 404, 20404);
        error(HTTP.send(HttpRequest.newBuilder(URI.create(messages + "AC" + "1".repeat(32) + "/Messages.json"))
                .header("Authorization", AUTH).POST(HttpRequest.BodyPublishers.ofString("To=%2B79161234567"))
                .build(), HttpResponse.BodyHandlers.ofString()), 404, 20404);
    }
}

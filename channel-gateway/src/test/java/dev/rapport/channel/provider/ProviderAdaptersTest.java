package dev.rapport.channel.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.channel.Content;
import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.tracking.Tracking;
import dev.rapport.stubs.FcmStub;
import dev.rapport.stubs.StubServer;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

/**
 * The FCM, WhatsApp and SendGrid adapters on their own, against stand-ins of their own: what the gateway's running
 * configuration cannot show. FCM's sign-in is shared by concurrent sends and kept, redone once for a refused token;
 * a key the token endpoint refuses, a key file that is missing or not a key, a wrong project, a wrong WhatsApp token or
 * SendGrid key keep the message (temporary), while a wrong WhatsApp sender fails it; each provider is on only when
 * configured, and email follows {@code rapport.channel.email-provider}. Then each provider's documented refusals, read
 * the way the gateway reads them.
 */
class ProviderAdaptersTest {

    private static StubServer stubs;
    private static Vertx vertx;
    private static Path keyFile;

    @BeforeAll
    static void start() throws IOException {
        stubs = StubServer.start(0, StubServer.Credentials.demo());
        vertx = Vertx.vertx();
        keyFile = Files.createTempFile("rapport-fcm-adapter-test", ".json");
        Files.writeString(keyFile, stubs.fcm().serviceAccount().json());
    }

    @AfterAll
    static void stop() throws IOException {
        stubs.close();
        vertx.closeAndAwait();
        Files.deleteIfExists(keyFile);
    }

    @Test
    void concurrentPushesShareOneSignInWhoseTokenIsKept() {
        FcmPush fcm = fcm(keyFile.toString(), "rapport-dev");
        int before = signIns();
        List<Uni<String>> sends = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sends.add(fcm.send(push(deviceToken())));
        }
        List<String> names = Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(20));
        assertThat(names).hasSize(8).allSatisfy(n -> assertThat(n).startsWith("projects/rapport-dev/messages/"));
        assertThat(signIns()).isEqualTo(before + 1);
        fcm.send(push(deviceToken())).await().atMost(Duration.ofSeconds(10));
        assertThat(signIns()).as("the token is kept").isEqualTo(before + 1);
    }

    @Test
    void aRefusedTokenIsReplacedOnceAndTheProjectComesFromTheKeyFile() {
        FcmPush fcm = fcm(keyFile.toString(), null);
        assertThat(fcm.send(push(deviceToken())).await().atMost(Duration.ofSeconds(10)))
                .startsWith("projects/" + stubs.fcm().projectId() + "/messages/");
        int before = signIns();
        stubs.fcm().revokeTokens();
        fcm.send(push(deviceToken())).await().atMost(Duration.ofSeconds(10));
        assertThat(signIns()).isEqualTo(before + 1);
    }

    @Test
    void aKeyFcmDoesNotAcceptOrCannotReadOrAnotherProjectKeepsThePush() throws IOException {
        Path other = Files.createTempFile("rapport-fcm-other", ".json");
        Path garbage = Files.createTempFile("rapport-fcm-garbage", ".json");
        try {
            Files.writeString(other, FcmStub.newServiceAccount("rapport-dev", stubs.fcm().serviceAccount().tokenUri()));
            Files.writeString(garbage, "{\"private_key\":\"not a key\",\"client_email\":\"x@example.com\"}");
            assertThat(failure(fcm(other.toString(), null).send(push(deviceToken()))))
                    .satisfies(f -> assertThat(f.permanent()).isFalse())
                    .satisfies(f -> assertThat(f.getMessage()).contains("token endpoint answered 400",
                            "invalid_grant"));
            assertThat(failure(fcm(keyFile + ".missing", null).send(push(deviceToken()))))
                    .satisfies(f -> assertThat(f.permanent()).isFalse())
                    .satisfies(f -> assertThat(f.getMessage()).contains("cannot be read"));
            assertThat(failure(fcm(garbage.toString(), null).send(push(deviceToken()))))
                    .satisfies(f -> assertThat(f.permanent()).isFalse())
                    .satisfies(f -> assertThat(f.getMessage()).contains("not a usable key"));
            assertThat(failure(fcm(keyFile.toString(), "someone-elses").send(push(deviceToken()))))
                    .satisfies(f -> assertThat(f.permanent()).isFalse())
                    .satisfies(f -> assertThat(f.getMessage()).contains("403 PERMISSION_DENIED"));
        } finally {
            Files.deleteIfExists(other);
            Files.deleteIfExists(garbage);
        }
    }

    @Test
    void fcmIsOnOnlyWithItsUrlAndKeyFile() {
        assertThat(fcm(null, null).enabled()).isFalse();
        assertThat(new FcmPush(vertx, config("fcm.service-account-file", keyFile.toString()), Clock.systemUTC())
                .enabled()).isFalse();
        assertThat(fcm(keyFile.toString(), null).enabled()).isTrue();
    }

    @Test
    void whatsappIsOnOnlyWithItsUrlTokenAndSenderAndTakesWhatsappAddresses() {
        assertThat(new WhatsappMessenger(vertx, config("whatsapp.url", "http://127.0.0.1:1/whatsapp",
                "whatsapp.token", "t")).enabled()).as("no phone number id").isFalse();
        WhatsappMessenger whatsapp = new WhatsappMessenger(vertx, config("whatsapp.url", "http://127.0.0.1:1",
                "whatsapp.token", "t", "whatsapp.phone-number-id", "1"));
        assertThat(whatsapp.enabled()).isTrue();
        assertThat(whatsapp.takes(whatsapp("79161230102"))).isTrue();
        assertThat(whatsapp.takes(message("messenger", "telegram:42", whatsapp("1").content()))).isFalse();
    }

    @Test
    void aWrongWhatsappTokenKeepsTheMessageButAWrongSenderFailsIt() {
        WhatsappMessenger badToken = new WhatsappMessenger(vertx, config("whatsapp.url", stubs.base() + "/whatsapp",
                "whatsapp.token", "expired", "whatsapp.phone-number-id", stubs.whatsapp().phoneNumberId()));
        assertThat(failure(badToken.send(whatsapp("79161230100"))))
                .satisfies(f -> assertThat(f.permanent()).isFalse())
                .satisfies(f -> assertThat(f.getMessage()).contains("401", "190"));
        WhatsappMessenger otherNumber = new WhatsappMessenger(vertx, config("whatsapp.url", stubs.base()
                + "/whatsapp", "whatsapp.token", "whatsapp-dev-token", "whatsapp.phone-number-id", "1999"));
        assertThat(failure(otherNumber.send(whatsapp("79161230101"))))
                .satisfies(f -> assertThat(f.permanent()).isTrue())
                .satisfies(f -> assertThat(f.unreachable()).isFalse())
                .satisfies(f -> assertThat(f.getMessage()).contains("400", "error 100"));
    }

    @Test
    void emailGoesThroughTheChosenProviderAloneAndSendgridNeedsItsUrlAndKey() {
        ChannelConfig smtpChosen = config("sendgrid.url", "http://127.0.0.1:1", "sendgrid.api-key", "SG.k");
        assertThat(smtpChosen.emailProvider()).isEqualTo(ChannelConfig.EmailProvider.SMTP);
        assertThat(new SmtpEmail(null, new Tracking(smtpChosen), smtpChosen).enabled()).isTrue();
        assertThat(sendgrid(smtpChosen).enabled()).isFalse();
        ChannelConfig sendgridChosen = config("email-provider", "sendgrid", "sendgrid.url", "http://127.0.0.1:1",
                "sendgrid.api-key", "SG.k");
        assertThat(new SmtpEmail(null, new Tracking(sendgridChosen), sendgridChosen).enabled()).isFalse();
        assertThat(sendgrid(sendgridChosen).enabled()).isTrue();
        assertThat(sendgrid(config("email-provider", "sendgrid", "sendgrid.url", "http://127.0.0.1:1")).enabled())
                .as("no key").isFalse();
    }

    @Test
    void anSmsAsksTwilioForItsStatusReportsAtTheGatewaysPublicUrlOnceThatIsSet() {
        StubServer.Credentials demo = StubServer.Credentials.demo();
        String[] twilio = { "twilio.url", stubs.base() + "/twilio", "twilio.account-sid", demo.twilioAccountSid(),
            "twilio.auth-token", demo.twilioAuthToken() };
        String sid = new TwilioSms(vertx, config(twilio)).send(message("sms", "+79161230101", new Content(null, null,
                "Код 1234", null, null, null))).await().atMost(Duration.ofSeconds(10));
        assertThat(stubs.twilio().message(sid).hasNonNull("status_callback")).as("no public URL: none").isFalse();

        String[] withUrl = Arrays.copyOf(twilio, twilio.length + 2);
        withUrl[twilio.length] = "webhooks.public-url";
        withUrl[twilio.length + 1] = "https://rapport.example.com/";
        String reported = new TwilioSms(vertx, config(withUrl)).send(message("sms", "+79161230102", new Content(null,
                null, "Код 1234", null, null, null))).await().atMost(Duration.ofSeconds(10));
        assertThat(stubs.twilio().message(reported).path("status_callback").asText())
                .isEqualTo("https://rapport.example.com/webhooks/twilio/status");
    }

    @Test
    void aWrongSendgridKeyKeepsTheMessage() {
        SendgridEmail badKey = sendgrid(config("email-provider", "sendgrid", "sendgrid.url", stubs.base()
                + "/sendgrid", "sendgrid.api-key", "SG.revoked"));
        assertThat(failure(badKey.send(email("ada@example.com"))))
                .satisfies(f -> assertThat(f.permanent()).isFalse())
                .satisfies(f -> assertThat(f.getMessage()).contains("SendGrid 401", "authorization grant"));
    }

    @Test
    void fcmRefusalsAreReadByTheirFcmError() {
        assertThat(fcmRefusal(404, "NOT_FOUND", "UNREGISTERED", null).unreachable()).isTrue();
        assertThat(fcmRefusal(400, "INVALID_ARGUMENT", "UNREGISTERED", null).unreachable()).isTrue();
        assertThat(fcmRefusal(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token").unreachable()).isTrue();
        assertThat(FcmPush.refusal(400, googleError(400, "The registration token is not a valid FCM registration "
                + "token", "INVALID_ARGUMENT", "INVALID_ARGUMENT", null), null).unreachable()).isTrue();
        ProviderFailure content = fcmRefusal(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.data[0].value");
        assertThat(content.permanent()).isTrue();
        assertThat(content.unreachable()).isFalse();
        assertThat(fcmRefusal(404, "NOT_FOUND", null, null).unreachable()).as("not about the token").isFalse();
        assertThat(fcmRefusal(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", null).permanent()).isTrue();
        assertThat(fcmRefusal(403, "PERMISSION_DENIED", null, null).permanent()).isFalse();
        ProviderFailure quota = FcmPush.refusal(429, googleError(429, "Quota exceeded", "RESOURCE_EXHAUSTED",
                "QUOTA_EXCEEDED", null), Duration.ofSeconds(7));
        assertThat(quota.permanent()).isFalse();
        assertThat(quota.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(quota.getMessage()).contains("429 QUOTA_EXCEEDED");
        assertThat(fcmRefusal(503, "UNAVAILABLE", "UNAVAILABLE", null).permanent()).isFalse();
        assertThat(fcmRefusal(500, "INTERNAL", "INTERNAL", null).permanent()).isFalse();
        assertThat(fcmRefusal(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", null).permanent()).isFalse();
        assertThat(FcmPush.refusal(502, null, null).permanent()).as("a proxy's page").isFalse();
    }

    @Test
    void whatsappRefusalsAreReadByTheirGraphCode() {
        for (int code : List.of(131026, 131030, 133010)) {
            assertThat(WhatsappMessenger.refusal(400, graphError(code), null).unreachable()).as("%d", code).isTrue();
        }
        for (int code : List.of(130429, 131048, 131056, 80007, 4)) {
            ProviderFailure f = WhatsappMessenger.refusal(code == 130429 ? 429 : 400, graphError(code),
                    Duration.ofSeconds(3));
            assertThat(f.permanent()).as("%d", code).isFalse();
            assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        }
        assertThat(WhatsappMessenger.refusal(500, graphError(131000), null).permanent()).isFalse();
        assertThat(WhatsappMessenger.refusal(503, graphError(2), null).permanent()).isFalse();
        assertThat(WhatsappMessenger.refusal(401, graphError(190), null).permanent()).isFalse();
        for (int code : List.of(100, 131008, 131047, 132000)) {
            ProviderFailure f = WhatsappMessenger.refusal(400, graphError(code), null);
            assertThat(f.permanent()).as("%d", code).isTrue();
            assertThat(f.unreachable()).as("%d", code).isFalse();
        }
    }

    @Test
    void sendgridRefusalsAndItsRateLimitReset() {
        JsonObject errors = new JsonObject().put("errors", List.of(Map.of("message", "Does not contain a valid "
                + "address.", "field", "personalizations.0.to.0.email")));
        ProviderFailure invalid = SendgridEmail.refusal(400, errors, null);
        assertThat(invalid.permanent()).isTrue();
        assertThat(invalid.getMessage()).isEqualTo("SendGrid 400: personalizations.0.to.0.email: Does not contain a "
                + "valid address.");
        assertThat(SendgridEmail.refusal(413, null, null).permanent()).isTrue();
        for (int status : List.of(429, 500, 502, 401, 403)) {
            assertThat(SendgridEmail.refusal(status, null, null).permanent()).as("%d", status).isFalse();
        }
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        assertThat(SendgridEmail.retryAfter(null, "1700000042", now)).isEqualTo(Duration.ofSeconds(42));
        assertThat(SendgridEmail.retryAfter("5", "1700000042", now)).isEqualTo(Duration.ofSeconds(5));
        assertThat(SendgridEmail.retryAfter(null, "1699999999", now)).isEqualTo(Duration.ZERO);
        assertThat(SendgridEmail.retryAfter(null, null, now)).isNull();
        assertThat(SendgridEmail.sender("Rapport <noreply@rapport.local>").getMap())
                .isEqualTo(Map.of("email", "noreply@rapport.local", "name", "Rapport"));
        assertThat(SendgridEmail.sender("\"Rapport, Support\" <help@rapport.local>").getString("name"))
                .isEqualTo("Rapport, Support");
        assertThat(SendgridEmail.sender("noreply@rapport.local").getMap())
                .isEqualTo(Map.of("email", "noreply@rapport.local"));
    }

    private static ProviderFailure fcmRefusal(int status, String grpcStatus, String fcmError, String field) {
        return FcmPush.refusal(status, googleError(status, "refused", grpcStatus, fcmError, field), null);
    }

    /** A Google API error as FCM answers it. */
    private static JsonObject googleError(int status, String message, String grpcStatus, String fcmError,
            String field) {
        List<Object> details = new ArrayList<>();
        if (fcmError != null) {
            details.add(Map.of("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode",
                    fcmError));
        }
        if (field != null) {
            details.add(Map.of("@type", "type.googleapis.com/google.rpc.BadRequest", "fieldViolations",
                    List.of(Map.of("field", field, "description", "Invalid value"))));
        }
        return new JsonObject().put("error", new JsonObject().put("code", status).put("message", message)
                .put("status", grpcStatus).put("details", details));
    }

    /** A Graph API error as the Cloud API answers it. */
    private static JsonObject graphError(int code) {
        return new JsonObject().put("error", new JsonObject().put("message", "(#" + code + ") refused")
                .put("type", "OAuthException").put("code", code).put("error_data", new JsonObject()
                        .put("messaging_product", "whatsapp").put("details", "refused"))
                .put("fbtrace_id", "Atrace"));
    }

    private static int signIns() {
        int n = 0;
        for (JsonNode e : stubs.fcm().received()) {
            if (e.path("path").asText().equals("/fcm/token")) {
                n++;
            }
        }
        return n;
    }

    private static ProviderFailure failure(Uni<String> send) {
        return catchThrowableOfType(ProviderFailure.class, () -> send.await().atMost(Duration.ofSeconds(10)));
    }

    private static FcmPush fcm(String file, String project) {
        Map<String, String> c = new HashMap<>();
        c.put("fcm.url", stubs.base() + "/fcm");
        if (file != null) {
            c.put("fcm.service-account-file", file);
        }
        if (project != null) {
            c.put("fcm.project-id", project);
        }
        return new FcmPush(vertx, config(c), Clock.systemUTC());
    }

    private static SendgridEmail sendgrid(ChannelConfig config) {
        return new SendgridEmail(vertx, config, new Tracking(config), Clock.systemUTC());
    }

    /** channel-gateway's settings with these {@code rapport.channel.*} values (pairs of name and value). */
    private static ChannelConfig config(String... pairs) {
        Map<String, String> c = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            c.put(pairs[i], pairs[i + 1]);
        }
        return config(c);
    }

    private static ChannelConfig config(Map<String, String> values) {
        Map<String, String> properties = new HashMap<>();
        properties.put("rapport.channel.tracking.secret", "tracking-test-secret-0123456789");
        values.forEach((k, v) -> properties.put("rapport.channel." + k, v));
        // Quarkus's converter reads durations as the application does ("200ms")
        return new SmallRyeConfigBuilder().withMapping(ChannelConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build()
                .getConfigMapping(ChannelConfig.class);
    }

    private static String deviceToken() {
        return "fcm-" + UUID.randomUUID() + ":APA91b";
    }

    private static Message push(String token) {
        return message("push", token, new Content(null, null, null, "Заказ 123", "в пути", Map.of("orderId", "123")));
    }

    private static Message whatsapp(String number) {
        return message("messenger", "whatsapp:" + number, new Content(null, null, "Заказ 123 в пути", null, null,
                null));
    }

    private static Message email(String address) {
        return message("email", address, new Content("Заказ 123", null, "Заказ 123 в пути", null, null, null));
    }

    private static Message message(String channel, String address, Content content) {
        return new Message("a-" + UUID.randomUUID(), "p-1", channel, "transactional", address, content, null,
                List.of(), 1, null, "sending", null, null, 1, null, null, null, Instant.now(), "ru");
    }
}

package dev.rapport.channel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Each provider's signature scheme against the vectors its own SDK tests publish (Twilio's RequestValidator tests,
 * SendGrid's EventWebhook tests, Meta's WhatsApp SDK tests), and the negative cases beside them: a webhook is only
 * taken when it verifies exactly as the provider signs it.
 */
class ProviderSignaturesTest {

    private static final String TWILIO_TOKEN = "12345";
    private static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private static final List<Map.Entry<String, String>> PARAMS = List.of(entry("CallSid", "CA1234567890ABCDE"),
            entry("Caller", "+14158675309"), entry("Digits", "1234"), entry("From", "+14158675309"),
            entry("To", "+18005551212"));

    @Test
    void twilioSignsTheUrlAndTheSortedParameters() {
        assertThat(ProviderSignatures.twilioSignature(TWILIO_TOKEN, URL, PARAMS))
                .isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isTrue();
    }

    @Test
    void twilioIsAcceptedWithOrWithoutTheDefaultPortAsItsLibrariesDo() {
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, URL, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=")).isTrue();
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, "http://mycompany.com/myapp.php?foo=1&bar=2", PARAMS,
                "0ZXoZLH/DfblKGATFgpif+LLRf4=")).isTrue();
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", PARAMS,
                "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")).isTrue();
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
                PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isTrue();
    }

    @Test
    void twilioRepeatedParametersAddEachDistinctValueSorted() {
        List<Map.Entry<String, String>> repeated = ProviderCallbacks.form(
                "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234".getBytes(StandardCharsets.UTF_8));
        assertThat(ProviderSignatures.twilioSignature(TWILIO_TOKEN, URL, repeated))
                .isEqualTo("IK+Dwps556ElfBT0I3Rgjkr1wJU=");
    }

    @Test
    void twilioJsonBodiesAreSignedThroughTheirHashInTheUrl() {
        byte[] body = "{\"property\": \"value\", \"boolean\": true}".getBytes(StandardCharsets.UTF_8);
        String hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        assertThat(ProviderSignatures.twilioJson(TWILIO_TOKEN, URL + "&bodySHA256=" + hash, body,
                "a9nBmqA0ju/hNViExpshrM61xv4=")).isTrue();
        assertThat(ProviderSignatures.twilioJson(TWILIO_TOKEN, "https://mycompany.com/myapp.php?bodySHA256=" + hash,
                body, "y77kIzt2vzLz71DgmJGsen2scGs=")).isTrue();
    }

    @Test
    void twilioRefusesAWrongSignatureAWrongBodyHashAndAJsonBodyWithoutOne() {
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, URL, PARAMS, "NOTRSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, URL, PARAMS, null)).isFalse();
        assertThat(ProviderSignatures.twilio("54321", URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
        byte[] body = "{\"property\": \"value\", \"boolean\": true}".getBytes(StandardCharsets.UTF_8);
        assertThat(ProviderSignatures.twilioJson(TWILIO_TOKEN, URL + "&bodySHA256=WRONG", body,
                "a9nBmqA0ju/hNViExpshrM61xv4=")).isFalse();
        assertThat(ProviderSignatures.twilioJson(TWILIO_TOKEN, URL, body, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
    }

    @Test
    void twilioSignsDecodedCyrillicValuesAsUtf8() {
        List<Map.Entry<String, String>> form = ProviderCallbacks.form(
                "Body=%D0%A1%D0%A2%D0%9E%D0%9F&From=%2B79161234567".getBytes(StandardCharsets.UTF_8));
        assertThat(form).containsExactly(entry("Body", "СТОП"), entry("From", "+79161234567"));
        String signature = ProviderSignatures.twilioSignature(TWILIO_TOKEN, URL, form);
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, URL, List.of(entry("Body", "СТОП"),
                entry("From", "+79161234567")), signature)).isTrue();
        assertThat(ProviderSignatures.twilio(TWILIO_TOKEN, URL, List.of(entry("Body", "CTOП"),
                entry("From", "+79161234567")), signature)).as("a Latin C is another letter").isFalse();
    }

    private static final String SG_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpV"
            + "KS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    private static final String SG_SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+l"
            + "uQAbPIqHh89M15TluLtEZtM=";
    private static final String SG_PAYLOAD = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":"
            + "\"Bounced Address\",\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\","
            + "\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
            + "\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";

    @Test
    void sendgridVerifiesItsEcdsaSignatureOverTheTimestampAndTheRawBody() {
        assertThat(SG_PAYLOAD.getBytes(StandardCharsets.UTF_8)).hasSize(327);
        assertThat(ProviderSignatures.sendgrid(SG_KEY, "1600112502", bytes(SG_PAYLOAD), SG_SIGNATURE)).isTrue();
    }

    @Test
    void sendgridVerifiesABatchWithItsCarriageReturns() {
        String key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvw"
                + "aX/JScE7Fc9CJD2afQ9Ok3Q==";
        String signature = "MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaq"
                + "DJlu5";
        String payload = "[{\"email\":\"invalid@gmail.com\",\"event\":\"processed\",\"send_at\":0,\"sg_event_id\":"
                + "\"cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA\",\"sg_message_id\":"
                + "\"qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0\",\"smtp-id\":"
                + "\"<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>\",\"timestamp\":1619651146},\r\n"
                + "{\"email\":\"invalid@gmail.com\",\"event\":\"bounce\",\"ip\":\"167.89.101.76\",\"reason\":\"552 "
                + "5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the "
                + "recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp\","
                + "\"sg_event_id\":\"Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w\",\"sg_message_id\":"
                + "\"qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0\",\"smtp-id\":"
                + "\"<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>\",\"status\":\"5.2.2\",\"timestamp\":"
                + "1619651147,\"tls\":1,\"type\":\"blocked\"}]\r\n";
        assertThat(bytes(payload)).hasSize(889);
        assertThat(ProviderSignatures.sendgrid(key, "1619651159", bytes(payload), signature)).isTrue();
        assertThat(ProviderCallbacks.sendgrid(bytes(payload))).extracting(ProviderCallbacks.Callback::eventId)
                .containsExactly("cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA",
                        "Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w");
    }

    @Test
    void sendgridRefusesAnotherKeyPayloadSignatureOrTimestampAndAReserialisedBody() {
        String otherKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REn"
                + "tlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
        assertThat(ProviderSignatures.sendgrid(otherKey, "1600112502", bytes(SG_PAYLOAD), SG_SIGNATURE)).isFalse();
        assertThat(ProviderSignatures.sendgrid(SG_KEY, "1600112502", bytes("payload"), SG_SIGNATURE)).isFalse();
        assertThat(ProviderSignatures.sendgrid(SG_KEY, "1600112502", bytes(SG_PAYLOAD), "MEUCIQCtIHJeH93Y+qpYeWrySphQ"
                + "gpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=")).isFalse();
        assertThat(ProviderSignatures.sendgrid(SG_KEY, "timestamp", bytes(SG_PAYLOAD), SG_SIGNATURE)).isFalse();
        assertThat(ProviderSignatures.sendgrid(SG_KEY, "1600112502", bytes(SG_PAYLOAD.strip()), SG_SIGNATURE))
                .as("without the trailing CRLF").isFalse();
        assertThat(ProviderSignatures.sendgrid(SG_KEY, "1600112502", bytes(SG_PAYLOAD), "not base64 ***")).isFalse();
        assertThat(ProviderSignatures.sendgrid("not a key", "1600112502", bytes(SG_PAYLOAD), SG_SIGNATURE)).isFalse();
    }

    @Test
    void whatsappSignsTheRawBodyWithTheAppSecret() {
        assertThat(ProviderSignatures.whatsappSignature("TEST_APP_SECRET", bytes("test")))
                .isEqualTo("sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221");
        assertThat(ProviderSignatures.whatsapp("secret", bytes("test"),
                "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914")).isTrue();
        assertThat(ProviderSignatures.whatsapp("secret", bytes("test"),
                "sha256=0329A06B62CD16B33EB6792BE8C60B158D89A2EE3A876FCE9A881EBB488C0914")).as("hex in capitals")
                .isTrue();
        assertThat(ProviderSignatures.whatsapp("secret", bytes("test "),
                "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914")).isFalse();
        assertThat(ProviderSignatures.whatsapp("secret", bytes("test"),
                "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914")).as("without its prefix")
                .isFalse();
    }

    @Test
    void telegramsSecretTokenMustBeTheOneGivenToSetWebhook() {
        assertThat(ProviderSignatures.telegram("s3cr3t_token-1", "s3cr3t_token-1")).isTrue();
        assertThat(ProviderSignatures.telegram("s3cr3t_token-1", "s3cr3t_token-2")).isFalse();
        assertThat(ProviderSignatures.telegram("s3cr3t_token-1", null)).isFalse();
        assertThat(ProviderSignatures.telegram(null, "anything")).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map.Entry<String, String> entry(String name, String value) {
        return new SimpleImmutableEntry<>(name, value);
    }
}

package dev.rapport.desk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** Each desk's proof, checked over the exact bytes: Zendesk's published test vector among them. */
class SignaturesTest {

    /** Vector ZD-01: Zendesk's static test secret, timestamp 1234, a body with tabs and a final line feed. */
    static final String ZD_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
    static final String ZD_BODY = "{\n\t\"type\": \"zen:event-type:user.group_membership_created\",\n\t\"account_id\": "
            + "12514403,\n\t\"id\": \"6b9bbadf-5725-4e92-bebe-7b71011bf5f1\",\n\t\"subject\": \"zen:user:6596848315901\","
            + "\n\t\"time\": \"2099-07-04T05:33:18Z\",\n\t\"zendesk_event_version\": \"2022-06-20\",\n\t\"detail\": {\n\t\t"
            + "\"created_at\": \"2099-07-04T05:27:58Z\",\n\t\t\"default_group_id\": \"0\",\n\t\t\"email\": "
            + "\"user.name@example.com\",\n\t\t\"external_id\": \"\",\n\t\t\"id\": \"6596848315901\",\n\t\t"
            + "\"organization_id\": \"0\",\n\t\t\"role\": \"end-user\",\n\t\t\"updated_at\": \"2099-07-04T05:33:18Z\"\n\t},"
            + "\n\t\"event\": { \"group\": { \"id\": \"1\" } }\n}\n";
    static final String ZD_SIGNATURE = "10IqYzYTLHRftNsNE+im0DeOM6/JactIRuy0XCHJ9B8=";

    @Test
    void zendesksPublishedVectorVerifiesOverTheExactBytes() {
        byte[] body = ZD_BODY.getBytes(StandardCharsets.UTF_8);
        assertThat(body).hasSize(534);
        assertThat(Signatures.zendesk(ZD_SECRET, "1234", body, ZD_SIGNATURE)).isTrue();
        assertThat(Signatures.zendeskSignature(ZD_SECRET, "1234", body)).isEqualTo(ZD_SIGNATURE);
    }

    @Test
    void zendeskRefusesTheDecodedKeyABodyWithoutItsLastByteAnotherTimestampAndNothing() {
        byte[] body = ZD_BODY.getBytes(StandardCharsets.UTF_8);
        assertThat(Signatures.zendesk("this_secret_is_for_testing_only", "1234", body, ZD_SIGNATURE)).isFalse();
        byte[] trimmed = ZD_BODY.substring(0, ZD_BODY.length() - 1).getBytes(StandardCharsets.UTF_8);
        assertThat(Signatures.zendesk(ZD_SECRET, "1234", trimmed, ZD_SIGNATURE)).isFalse();
        assertThat(Signatures.zendesk(ZD_SECRET, "1235", body, ZD_SIGNATURE)).isFalse();
        assertThat(Signatures.zendesk(ZD_SECRET, "1234", body, null)).isFalse();
        assertThat(Signatures.zendesk(null, "1234", body, ZD_SIGNATURE)).isFalse();
    }

    @Test
    void theGenericSignatureCoversTimestampAndBody() {
        byte[] body = "{\"id\":\"d-1\"}".getBytes(StandardCharsets.UTF_8);
        String signature = Signatures.genericSignature("s3cret", "1733560000", body);
        assertThat(signature).startsWith("sha256=").hasSize(71);
        assertThat(Signatures.generic("s3cret", "1733560000", body, signature)).isTrue();
        assertThat(Signatures.generic("s3cret", "1733560000", body, signature.toUpperCase().replace("SHA256", "sha256")))
                .as("hex in either case").isTrue();
        assertThat(Signatures.generic("s3cret", "1733560001", body, signature)).isFalse();
        assertThat(Signatures.generic("other", "1733560000", body, signature)).isFalse();
        assertThat(Signatures.generic("s3cret", "1733560000", body, signature.substring(7))).as("prefix required")
                .isFalse();
    }

    @Test
    void aSharedSecretMustBeTheOneConfigured() {
        assertThat(Signatures.sharedSecret("abc", "abc")).isTrue();
        assertThat(Signatures.sharedSecret("abc", "abd")).isFalse();
        assertThat(Signatures.sharedSecret("abc", null)).isFalse();
        assertThat(Signatures.sharedSecret("", "")).isFalse();
    }

    @Test
    void timestampsAreIsoOrUnixSecondsAndMustBeInTheWindow() {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");
        assertThat(Signatures.timestamp("2026-12-07T09:59:00Z")).isEqualTo(Instant.parse("2026-12-07T09:59:00Z"));
        assertThat(Signatures.timestamp(String.valueOf(now.getEpochSecond()))).isEqualTo(now);
        assertThat(Signatures.timestamp("yesterday")).isNull();
        Duration past = Duration.ofHours(24);
        Duration future = Duration.ofMinutes(5);
        assertThat(Signatures.fresh(now.minus(Duration.ofHours(23)), now, past, future)).isTrue();
        assertThat(Signatures.fresh(now.minus(Duration.ofHours(25)), now, past, future)).isFalse();
        assertThat(Signatures.fresh(now.plus(Duration.ofMinutes(6)), now, past, future)).isFalse();
        assertThat(Signatures.fresh(null, now, past, future)).isFalse();
    }
}

package dev.rapport.desk;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import dev.rapport.common.security.Macs;

/**
 * How each desk's webhook proves it comes from the desk, checked over the exact bytes received and compared in constant
 * time. Plain functions.
 *
 * <ul>
 * <li>Zendesk: {@code X-Zendesk-Webhook-Signature} = base64(HMAC-SHA256(key = the signing secret as written,
 * timestamp + body)), the timestamp in {@code X-Zendesk-Webhook-Signature-Timestamp};</li>
 * <li>Freshdesk signs nothing: the webhook carries a shared secret in {@code X-Rapport-Webhook-Secret};</li>
 * <li>the generic webhook (ours): {@code X-Rapport-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." +
 * body)>}, the timestamp (Unix seconds) in {@code X-Rapport-Timestamp}.</li>
 * </ul>
 */
public final class Signatures {

    private Signatures() {
    }

    /** Whether a Zendesk signature is right for the timestamp and body. */
    public static boolean zendesk(String secret, String timestamp, byte[] body, String signature) {
        if (blank(secret) || blank(timestamp) || blank(signature)) {
            return false;
        }
        return Macs.same(zendeskSignature(secret, timestamp, body), signature.strip());
    }

    /** Whether a shared secret sent as a header is the one configured. */
    public static boolean sharedSecret(String secret, String presented) {
        if (blank(secret) || blank(presented)) {
            return false;
        }
        return Macs.same(secret, presented.strip());
    }

    /** Whether a generic-webhook signature ({@code sha256=<hex>}) is right for the timestamp and body. */
    public static boolean generic(String secret, String timestamp, byte[] body, String signature) {
        if (blank(secret) || blank(timestamp) || blank(signature) || !signature.strip().startsWith("sha256=")) {
            return false;
        }
        return Macs.same(genericSignature(secret, timestamp.strip(), body), "sha256="
                + signature.strip().substring(7).toLowerCase(java.util.Locale.ROOT));
    }

    /** The generic webhook's signature of a body, as a sender computes it (for the README's example and tests). */
    public static String genericSignature(String secret, String timestamp, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(Macs.sha256(secret, (timestamp + ".")
                .getBytes(StandardCharsets.UTF_8), body));
    }

    /** Zendesk's signature of a body, as Zendesk computes it. */
    public static String zendeskSignature(String secret, String timestamp, byte[] body) {
        return Base64.getEncoder().encodeToString(Macs.sha256(secret, timestamp.getBytes(StandardCharsets.UTF_8),
                body));
    }

    /**
     * The time a signature timestamp names: ISO-8601 (as Zendesk sends it) or Unix seconds; null when it is neither.
     */
    public static Instant timestamp(String value) {
        if (blank(value)) {
            return null;
        }
        String v = value.strip();
        try {
            return v.chars().allMatch(Character::isDigit) && v.length() <= 12 ? Instant.ofEpochSecond(Long.parseLong(v))
                    : Instant.parse(v);
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Whether a signed timestamp is recent enough: not more than {@code future} ahead of now, nor older than
     * {@code past} (as long as the desk retries, so a retried delivery passes and de-duplication catches replays).
     */
    public static boolean fresh(Instant signedAt, Instant now, Duration past, Duration future) {
        return signedAt != null && !signedAt.isAfter(now.plus(future)) && !signedAt.isBefore(now.minus(past));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

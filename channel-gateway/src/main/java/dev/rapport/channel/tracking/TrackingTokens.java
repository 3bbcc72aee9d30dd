package dev.rapport.channel.tracking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import dev.rapport.common.security.Macs;

/**
 * The tokens of tracking links: what a link does ({@code o}pen, {@code c}lick, {@code u}nsubscribe, {@code s}atisfaction),
 * for which message and, for a click, to where, signed with HMAC-SHA256 under the gateway's tracking secret. Only the
 * gateway can make one, so a click link redirects only where the gateway sent it (never an open redirect) and a
 * guessed or altered token is refused. A token is {@code base64url(payload) "." base64url(first 16 bytes of the MAC)}.
 */
public final class TrackingTokens {

    /** What a token says. */
    public record Claim(char action, String messageId, String target) {
    }

    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final String secret;

    public TrackingTokens(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("rapport.channel.tracking.secret must have at least 16 characters");
        }
        this.secret = secret;
    }

    /** A token for an action on a message; {@code target} is the click's destination, else null. */
    public String token(char action, String messageId, String target) {
        String payload = action + "\n" + messageId + (target == null ? "" : "\n" + target);
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(bytes) + "." + ENCODER.encodeToString(mac(bytes));
    }

    /** What a token says, when it is one of ours for that action; empty for anything else. */
    public Optional<Claim> read(String token, char action) {
        if (token == null || token.length() > 8_192) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] presented;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            presented = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(payload), presented)) {
            return Optional.empty();
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", 3);
        if (parts.length < 2 || parts[0].length() != 1 || parts[0].charAt(0) != action || parts[1].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Claim(action, parts[1], parts.length == 3 ? parts[2] : null));
    }

    private byte[] mac(byte[] payload) {
        return Arrays.copyOf(Macs.sha256(secret, payload), MAC_BYTES);
    }
}

package dev.rapport.common.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message authentication codes as webhooks sign with them (HMAC-SHA256, HMAC-SHA1), over the exact bytes received,
 * and comparisons in constant time. Plain functions over the JDK's {@link Mac}.
 */
public final class Macs {

    private Macs() {
    }

    /** HMAC-SHA256 of the parts, one after the other, keyed by the secret's UTF-8 bytes. */
    public static byte[] sha256(String secret, byte[]... parts) {
        return hmac("HmacSHA256", secret, parts);
    }

    /** HMAC-SHA1 of the parts, one after the other, keyed by the secret's UTF-8 bytes. */
    public static byte[] sha1(String secret, byte[]... parts) {
        return hmac("HmacSHA1", secret, parts);
    }

    /** SHA-256 of the bytes. */
    public static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether two texts are the same, compared in constant time over their UTF-8 bytes; false when either is null. */
    public static boolean same(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(String algorithm, String secret, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.channel.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.rapport.common.security.Macs;

/**
 * How each provider's webhook proves it comes from the provider, checked over what was received exactly and compared
 * in constant time. Plain functions.
 *
 * <ul>
 * <li>Twilio: {@code X-Twilio-Signature} = base64(HMAC-SHA1(auth token, the URL Twilio called + every form parameter's
 * name and value, names sorted)); repeated names add each distinct value, sorted; the URL is tried as sent, with its
 * default port and without its port, as Twilio's libraries do. A JSON body is signed through the URL's
 * {@code bodySHA256} (the hex SHA-256 of the body), which must match.</li>
 * <li>SendGrid: {@code X-Twilio-Email-Event-Webhook-Signature} = base64(DER ECDSA P-256 / SHA-256 signature of the
 * timestamp header's value followed by the raw body), verified with the account's public key (base64 DER).</li>
 * <li>Telegram: {@code X-Telegram-Bot-Api-Secret-Token} equals the secret given to {@code setWebhook}.</li>
 * <li>WhatsApp (Meta): {@code X-Hub-Signature-256} = {@code sha256=} + hex(HMAC-SHA256(app secret, raw body)).</li>
 * </ul>
 */
public final class ProviderSignatures {

    private ProviderSignatures() {
    }

    /** Twilio's signature of a form request: the URL it called and the decoded form parameters, in order received. */
    public static String twilioSignature(String authToken, String url, List<Map.Entry<String, String>> params) {
        Map<String, Set<String>> sorted = new TreeMap<>();
        for (Map.Entry<String, String> p : params) {
            sorted.computeIfAbsent(p.getKey(), k -> new TreeSet<>()).add(p.getValue());
        }
        StringBuilder signed = new StringBuilder(url);
        sorted.forEach((name, values) -> values.forEach(v -> signed.append(name).append(v)));
        return Base64.getEncoder().encodeToString(Macs.sha1(authToken, signed.toString()
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a Twilio signature is right for a form request. */
    public static boolean twilio(String authToken, String url, List<Map.Entry<String, String>> params,
            String signature) {
        if (blank(authToken) || blank(url) || blank(signature)) {
            return false;
        }
        boolean valid = false;
        for (String candidate : urls(url)) {
            valid |= Macs.same(twilioSignature(authToken, candidate, params), signature.strip());
        }
        return valid;
    }

    /** Whether a Twilio signature is right for a JSON request: the URL carries the body's hash, and is signed. */
    public static boolean twilioJson(String authToken, String url, byte[] body, String signature) {
        if (blank(authToken) || blank(url) || blank(signature)) {
            return false;
        }
        String hash = queryParameter(url, "bodySHA256");
        if (hash == null || !Macs.same(HexFormat.of().formatHex(Macs.digest(body)), hash.toLowerCase(Locale.ROOT))) {
            return false;
        }
        return twilio(authToken, url, List.of(), signature);
    }

    /** Whether a SendGrid event-webhook signature is right for the timestamp and the raw body. */
    public static boolean sendgrid(String publicKey, String timestamp, byte[] body, String signature) {
        if (blank(publicKey) || blank(timestamp) || blank(signature)) {
            return false;
        }
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder()
                    .decode(publicKey.strip())));
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(timestamp.getBytes(StandardCharsets.UTF_8));
            verifier.update(body);
            return verifier.verify(Base64.getDecoder().decode(signature.strip()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether Telegram's secret-token header is the secret configured. */
    public static boolean telegram(String secret, String presented) {
        return sameSecret(secret, presented);
    }

    /** Whether a presented secret (a header, a verify token) is the one configured, compared in constant time. */
    public static boolean sameSecret(String secret, String presented) {
        return !blank(secret) && !blank(presented) && Macs.same(secret, presented);
    }

    /** Meta's {@code X-Hub-Signature-256} of a body, as Meta computes it. */
    public static String whatsappSignature(String appSecret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(Macs.sha256(appSecret, body));
    }

    /** Whether Meta's {@code X-Hub-Signature-256} is right for the raw body. */
    public static boolean whatsapp(String appSecret, byte[] body, String signature) {
        if (blank(appSecret) || blank(signature) || !signature.strip().startsWith("sha256=")) {
            return false;
        }
        return Macs.same(whatsappSignature(appSecret, body), "sha256=" + signature.strip().substring(7)
                .toLowerCase(Locale.ROOT));
    }

    /** The URL as sent, with the scheme's default port and without any port: Twilio may have signed either. */
    static Set<String> urls(String url) {
        Set<String> out = new LinkedHashSet<>();
        out.add(url);
        try {
            URI u = new URI(url);
            if (u.getRawAuthority() == null || u.getHost() == null) {
                return out;
            }
            int defaultPort = "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
            String rest = (u.getRawPath() == null ? "" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery())
                    + (u.getRawFragment() == null ? "" : "#" + u.getRawFragment());
            String userInfo = u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@";
            String head = u.getScheme() + "://" + userInfo + u.getHost();
            out.add(head + rest);
            out.add(head + ":" + (u.getPort() == -1 ? defaultPort : u.getPort()) + rest);
        } catch (URISyntaxException e) {
            // the URL as sent is all there is
        }
        return out;
    }

    private static String queryParameter(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        List<String> found = new ArrayList<>();
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                found.add(pair.substring(eq + 1));
            }
        }
        return found.size() == 1 ? found.get(0) : null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;
import static dev.rapport.stubs.StubServer.bearer;
import static dev.rapport.stubs.StubServer.body;
import static dev.rapport.stubs.StubServer.form;
import static dev.rapport.stubs.StubServer.respond;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A stand-in of Firebase Cloud Messaging's HTTP v1 API and of the Google OAuth 2.0 token endpoint a service account
 * signs in at, as documented at firebase.google.com/docs/cloud-messaging and developers.google.com/identity/protocols/
 * oauth2/service-account.
 *
 * <p>{@code POST /token} takes {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer} and an
 * {@code assertion}: a JWT signed RS256 with the service account's private key, checked against its public key
 * ({@code kid}, if given, the key's id), with {@code iss} the account's {@code client_email}, {@code aud} this
 * endpoint's URL (or Google's own, which some client libraries put whatever the {@code token_uri}), {@code iat} and
 * {@code exp} at most an hour apart around now, and a {@code scope} that allows FCM. It answers an access token valid
 * for an hour, or 400 {@code invalid_grant} (or {@code unsupported_grant_type}, {@code invalid_scope}).
 *
 * <p>{@code POST /v1/projects/{project}/messages:send} takes {@code Authorization: Bearer} a token it issued and
 * {@code {"message":{"token"|"topic"|"condition",…,"notification":{…},"data":{…}}}}, answered
 * {@code {"name":"projects/{project}/messages/…"}} ({@code validate_only} too). Refusals are Google API errors,
 * {@code {"error":{"code","message","status","details":[…FcmError…]}}}: 401 {@code UNAUTHENTICATED} for a missing,
 * unknown or expired token, 403 {@code PERMISSION_DENIED} for another project, 400 {@code INVALID_ARGUMENT} for no
 * recipient, non-string data values or a payload (the message without its recipient) over 4096 bytes, 404
 * {@code UNREGISTERED} for a device token a test marked ({@link #unregister}). A test makes the next sends fail
 * ({@link #failNext}): 429 {@code QUOTA_EXCEEDED}, 503 {@code UNAVAILABLE} or 500 {@code INTERNAL}, with
 * {@code Retry-After}.
 */
public final class FcmStub {

    /** The OAuth scope of FCM's send API. */
    public static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    /** A broader scope FCM accepts as well. */
    static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
    static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final int MAX_PAYLOAD = 4096;

    private static final Pattern SEND = Pattern.compile("/fcm/v1/projects/([^/]+)/messages:send");
    private static final String FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
    private static final String BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
    private static final long SKEW_SECONDS = 300;
    private static final int KEPT_TOKENS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String projectId;
    private final ServiceAccount account;
    private final Map<String, Instant> tokens = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > KEPT_TOKENS;
        }
    };
    private final Set<String> unregistered = ConcurrentHashMap.newKeySet();
    private final Received received = new Received();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;
    private volatile int retryAfter;

    /**
     * A Google service account's key, as in the JSON key file the Google Cloud console hands out ({@link #json()}):
     * what a client of FCM is configured with. Its {@code token_uri} names where it signs in, here the stand-in.
     */
    public record ServiceAccount(String projectId, String clientEmail, String clientId, String privateKeyId,
            RSAPrivateCrtKey privateKey, URI tokenUri) {

        /** A new account of {@code projectId} with a new RSA 2048 key, signing in at {@code tokenUri}. */
        public static ServiceAccount generate(String projectId, URI tokenUri) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, RANDOM);
                RSAPrivateCrtKey key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
                byte[] id = new byte[20];
                RANDOM.nextBytes(id);
                String clientId = new BigInteger(68, RANDOM).add(BigInteger.TEN.pow(20)).toString();
                return new ServiceAccount(projectId, "rapport-channel-gateway@" + projectId
                        + ".iam.gserviceaccount.com", clientId, HexFormat.of().formatHex(id), key, tokenUri);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The account of a JSON key file, such as one {@link #json()} wrote. */
        public static ServiceAccount parse(String json) throws IOException {
            JsonNode file = JSON.readTree(json);
            String pem = file.path("private_key").asText().replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
                    .replaceAll("\\s", "");
            try {
                RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
                return new ServiceAccount(file.path("project_id").asText(), file.path("client_email").asText(),
                        file.path("client_id").asText(), file.path("private_key_id").asText(), key,
                        URI.create(file.path("token_uri").asText(GOOGLE_TOKEN_URI)));
            } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
                throw new IOException("not a service account key with an RSA private key: " + e, e);
            }
        }

        /** The same key, for {@code projectId}, signing in at {@code tokenUri}. */
        public ServiceAccount at(String projectId, URI tokenUri) {
            return new ServiceAccount(projectId, clientEmail, clientId, privateKeyId, privateKey, tokenUri);
        }

        /** The public half of the key, which the token endpoint checks assertions with. */
        public RSAPublicKey publicKey() {
            try {
                return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The JSON key file, with the fields Google's client libraries read. */
        public String json() {
            Base64.Encoder lines = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            String pem = "-----BEGIN PRIVATE KEY-----\n" + lines.encodeToString(privateKey.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            ObjectNode file = JSON.createObjectNode().put("type", "service_account").put("project_id", projectId)
                    .put("private_key_id", privateKeyId).put("private_key", pem).put("client_email", clientEmail)
                    .put("client_id", clientId).put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
                    .put("token_uri", tokenUri.toString())
                    .put("auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs")
                    .put("client_x509_cert_url", "https://www.googleapis.com/robot/v1/metadata/x509/"
                            + clientEmail.replace("@", "%40"))
                    .put("universe_domain", "googleapis.com");
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "ServiceAccount[" + clientEmail + ", key " + privateKeyId + ", token_uri " + tokenUri + "]";
        }
    }

    /** The JSON key file of a new service account of {@code projectId} signing in at {@code tokenUri}. */
    public static String newServiceAccount(String projectId, URI tokenUri) {
        return ServiceAccount.generate(projectId, tokenUri).json();
    }

    FcmStub(String projectId, ServiceAccount account) {
        this.projectId = projectId;
        this.account = account;
    }

    /** The Firebase project it sends for. */
    public String projectId() {
        return projectId;
    }

    /** The service account it accepts assertions of, with its private key: configure the client with its JSON. */
    public ServiceAccount serviceAccount() {
        return account;
    }

    /**
     * The next {@code times} sends answer {@code status} with {@code Retry-After: 1}: 429 ({@code RESOURCE_EXHAUSTED},
     * FCM error {@code QUOTA_EXCEEDED}), 503 ({@code UNAVAILABLE}) or 500 ({@code INTERNAL}).
     */
    public void failNext(int status, int times) {
        failNext(status, times, 1);
    }

    /** The same with {@code Retry-After: retryAfterSeconds}. */
    public void failNext(int status, int times, int retryAfterSeconds) {
        failStatus = status;
        retryAfter = retryAfterSeconds;
        failures.set(times);
    }

    /** Sends to {@code deviceToken} answer 404 {@code UNREGISTERED}, as after the app was uninstalled. */
    public void unregister(String deviceToken) {
        unregistered.add(deviceToken);
    }

    /** Forgets every access token it issued, as if they expired: the next sends answer 401 until a new sign-in. */
    public synchronized void revokeTokens() {
        tokens.clear();
    }

    /** What it received, oldest first: method, path, the body (a form or JSON), the answer's status and body. */
    public ArrayNode received() {
        return received.list();
    }

    Received log() {
        return received;
    }

    void handle(HttpExchange exchange) throws IOException {
        byte[] body = body(exchange);
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/fcm/token")) {
            Map<String, String> form = form(body);
            ObjectNode parsed = JSON.createObjectNode();
            form.forEach(parsed::put);
            ObjectNode entry = received.arrived(exchange, parsed);
            token(exchange, form, entry);
            return;
        }
        JsonNode request;
        try {
            request = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            request = JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
        received.arrived(exchange, request);
        Matcher send = SEND.matcher(path);
        if (!send.matches() || !exchange.getRequestMethod().equals("POST")) {
            refuse(exchange, 404, "Requested entity was not found.", "NOT_FOUND", null, null);
        } else if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            int status = failStatus;
            Map<String, String> headers = Map.of("Retry-After", String.valueOf(retryAfter));
            switch (status) {
                case 429 -> refuse(exchange, 429, "Quota exceeded for quota metric 'Send requests' of service "
                        + "'fcm.googleapis.com'.", "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", null, headers);
                case 503 -> refuse(exchange, 503, "The service is currently unavailable.", "UNAVAILABLE",
                        "UNAVAILABLE", null, headers);
                default -> refuse(exchange, status, "Internal error encountered.", "INTERNAL", "INTERNAL", null,
                        headers);
            }
        } else if (!issued(bearer(exchange))) {
            refuse(exchange, 401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                    + "login cookie or other valid authentication credential. See https://developers.google.com/"
                    + "identity/sign-in/web/devconsole-project.", "UNAUTHENTICATED", null, null,
                    Map.of("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", "
                            + "error=\"invalid_token\""));
        } else if (!send.group(1).equals(projectId)) {
            refuse(exchange, 403, "Permission 'cloudmessaging.messages.create' denied on resource "
                    + "'//cloudresourcemanager.googleapis.com/projects/" + send.group(1) + "' (or it may not exist).",
                    "PERMISSION_DENIED", null, null);
        } else {
            send(exchange, request);
        }
    }

    private void token(HttpExchange exchange, Map<String, String> form, ObjectNode entry) throws IOException {
        if (!JWT_BEARER.equals(form.get("grant_type"))) {
            grantRefused(exchange, "unsupported_grant_type", "Invalid grant_type: " + form.getOrDefault("grant_type",
                    ""));
            return;
        }
        String[] jwt = form.getOrDefault("assertion", "").split("\\.", -1);
        JsonNode header;
        JsonNode claims;
        try {
            if (jwt.length != 3) {
                throw new IllegalArgumentException("not three parts");
            }
            header = JSON.readTree(Base64.getUrlDecoder().decode(jwt[0]));
            claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
            entry.set("claims", claims);
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(account.publicKey());
            rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!header.path("alg").asText().equals("RS256") || (header.hasNonNull("kid")
                    && !header.path("kid").asText().equals(account.privateKeyId()))
                    || !rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                throw new IllegalArgumentException("signature");
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            grantRefused(exchange, "invalid_grant", "Invalid JWT Signature.");
            return;
        }
        long now = Instant.now().getEpochSecond();
        long iat = claims.path("iat").asLong(-1);
        long exp = claims.path("exp").asLong(-1);
        String aud = claims.path("aud").asText("");
        List<String> scopes = List.of(claims.path("scope").asText("").split(" "));
        if (!claims.path("iss").asText("").equals(account.clientEmail())) {
            grantRefused(exchange, "invalid_grant", "Invalid grant: account not found");
        } else if (!aud.equals(account.tokenUri().toString()) && !aud.equals(GOOGLE_TOKEN_URI)) {
            grantRefused(exchange, "invalid_grant", "Invalid JWT: Failed audience check. The right audience is "
                    + account.tokenUri());
        } else if (!claims.path("iat").canConvertToLong() || !claims.path("exp").canConvertToLong() || exp <= iat
                || exp - iat > 3600 || iat > now + SKEW_SECONDS || exp < now - SKEW_SECONDS) {
            grantRefused(exchange, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and "
                    + "in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
        } else if (!scopes.contains(SCOPE) && !scopes.contains(CLOUD_PLATFORM)) {
            grantRefused(exchange, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        } else {
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            String token = "ya29.c.stub-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            synchronized (this) {
                tokens.put(token, Instant.now().plusSeconds(3599));
            }
            respond(exchange, 200, Map.of("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate"),
                    JSON.writeValueAsBytes(JSON.createObjectNode().put("access_token", token).put("expires_in", 3599)
                            .put("token_type", "Bearer")));
        }
    }

    private void send(HttpExchange exchange, JsonNode request) throws IOException {
        JsonNode message = request == null ? null : request.path("message");
        if (message == null || !message.isObject()) {
            refuse(exchange, 400, "Request contains an invalid argument.", "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                    violation("message", "The message is required."));
            return;
        }
        int recipients = (message.hasNonNull("token") ? 1 : 0) + (message.hasNonNull("topic") ? 1 : 0)
                + (message.hasNonNull("condition") ? 1 : 0);
        if (recipients != 1) {
            refuse(exchange, 400, recipients == 0 ? "Recipient of the message is not set."
                    : "Exactly one of message.token, message.topic or message.condition must be set.",
                    "INVALID_ARGUMENT", "INVALID_ARGUMENT", violation("message", recipients == 0
                            ? "Recipient of the message is not set." : "More than one recipient is set."));
            return;
        }
        int index = 0;
        for (var field : message.path("data").properties()) {
            if (!field.getValue().isTextual()) {
                String where = "message.data[" + index + "].value";
                refuse(exchange, 400, "Invalid value at '" + where + "' (TYPE_STRING), " + field.getValue(),
                        "INVALID_ARGUMENT", null, violation(where, "Invalid value at '" + where + "' (TYPE_STRING), "
                                + field.getValue()));
                return;
            }
            index++;
        }
        ObjectNode payload = ((ObjectNode) message).deepCopy();
        payload.remove(List.of("token", "topic", "condition"));
        int size = JSON.writeValueAsBytes(payload).length;
        if (size > MAX_PAYLOAD) {
            refuse(exchange, 400, "Request contains an invalid argument.", "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                    violation("message", "Message is too big: its payload is " + size + " bytes, over the limit of "
                            + MAX_PAYLOAD + " bytes."));
            return;
        }
        if (message.hasNonNull("token") && unregistered.contains(message.path("token").asText())) {
            refuse(exchange, 404, "Requested entity was not found.", "NOT_FOUND", "UNREGISTERED", null);
            return;
        }
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        // the form of the ids FCM answers, e.g. 0:1500415314455276%31bd1c9631bd1c96
        String id = request.path("validate_only").asBoolean(false) ? "fake_message_id"
                : "0:" + (System.currentTimeMillis() * 1000 + RANDOM.nextInt(1000)) + "%" + HexFormat.of()
                        .formatHex(suffix);
        respond(exchange, 200, Map.of(), JSON.writeValueAsBytes(JSON.createObjectNode().put("name", "projects/"
                + projectId + "/messages/" + id)));
    }

    private synchronized boolean issued(String token) {
        Instant until = token == null ? null : tokens.get(token);
        return until != null && until.isAfter(Instant.now());
    }

    private static ObjectNode violation(String field, String description) {
        ObjectNode detail = JSON.createObjectNode().put("@type", BAD_REQUEST);
        detail.putArray("fieldViolations").addObject().put("field", field).put("description", description);
        return detail;
    }

    private static void refuse(HttpExchange exchange, int status, String message, String grpcStatus,
            String fcmError, ObjectNode detail) throws IOException {
        refuse(exchange, status, message, grpcStatus, fcmError, detail, Map.of());
    }

    private static void refuse(HttpExchange exchange, int status, String message, String grpcStatus,
            String fcmError, ObjectNode detail, Map<String, String> headers) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", status).put("message", message)
                .put("status", grpcStatus);
        if (fcmError != null || detail != null) {
            ArrayNode details = error.putArray("details");
            if (fcmError != null) {
                details.addObject().put("@type", FCM_ERROR).put("errorCode", fcmError);
            }
            if (detail != null) {
                details.add(detail);
            }
        }
        respond(exchange, status, headers, JSON.writeValueAsBytes(body));
    }

    private static void grantRefused(HttpExchange exchange, String error, String description) throws IOException {
        respond(exchange, 400, Map.of(), JSON.writeValueAsBytes(JSON.createObjectNode().put("error", error)
                .put("error_description", description)));
    }
}

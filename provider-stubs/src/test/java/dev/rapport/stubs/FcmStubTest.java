package dev.rapport.stubs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The FCM stand-in signs a service account in as Google's token endpoint does (a JWT signed with the account's key,
 * here signed with nothing but the JDK, as a client would) and answers sends as FCM's HTTP v1 API, errors included.
 */
class FcmStubTest {

    static final String PROJECT = "rapport-test";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static StubServer stubs;
    static JsonNode keyFile;

    @BeforeAll
    static void start() throws Exception {
        stubs = StubServer.start(0, StubServer.Credentials.demo().withFcm(PROJECT, null));
        keyFile = JSON.readTree(stubs.fcm().serviceAccount().json());
    }

    @AfterAll
    static void stop() {
        stubs.close();
    }

    /** A JWT as a Google service account signs it, from the JSON key file alone. */
    static String assertion(JsonNode key, String aud, long iat, long exp, String scope) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT")
                .put("kid", key.path("private_key_id").asText());
        ObjectNode claims = JSON.createObjectNode().put("iss", key.path("client_email").asText()).put("aud", aud)
                .put("iat", iat).put("exp", exp).put("scope", scope);
        String signed = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        String pem = key.path("private_key").asText().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey privateKey = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(privateKey);
        rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64.encodeToString(rsa.sign());
    }

    static String assertion() throws Exception {
        long now = Instant.now().getEpochSecond();
        return assertion(keyFile, keyFile.path("token_uri").asText(), now, now + 3600, FcmStub.SCOPE);
    }

    static HttpResponse<String> token(String grantType, String assertion) throws Exception {
        String form = "grant_type=" + URLEncoder.encode(grantType, StandardCharsets.UTF_8) + "&assertion="
                + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(URI.create(keyFile.path("token_uri").asText()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String accessToken() throws Exception {
        return JSON.readTree(token(FcmStub.JWT_BEARER, assertion()).body()).path("access_token").asText();
    }

    static HttpResponse<String> send(String project, String bearer, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stubs.base() + "/fcm/v1/projects/" + project
                + "/messages:send")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String push(String deviceToken) {
        return "{\"message\":{\"token\":\"" + deviceToken + "\",\"notification\":{\"title\":\"Заказ\",\"body\":"
                + "\"В пути\"},\"data\":{\"order\":\"42\"}}}";
    }

    static JsonNode refused(HttpResponse<String> r, int status, String grpcStatus) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body()).path("error");
        assertThat(e.path("code").asInt()).isEqualTo(status);
        assertThat(e.path("status").asText()).isEqualTo(grpcStatus);
        assertThat(e.path("message").asText()).isNotBlank();
        return e;
    }

    static String fcmError(JsonNode error) {
        for (JsonNode d : error.path("details")) {
            if (d.path("@type").asText().equals("type.googleapis.com/google.firebase.fcm.v1.FcmError")) {
                return d.path("errorCode").asText();
            }
        }
        return null;
    }

    static JsonNode grantRefused(HttpResponse<String> r, String error) throws Exception {
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.path("error").asText()).isEqualTo(error);
        assertThat(e.path("error_description").asText()).isNotBlank();
        return e;
    }

    @Test
    void theServiceAccountKeyFileHasWhatGoogleClientsRead() {
        assertThat(keyFile.path("type").asText()).isEqualTo("service_account");
        assertThat(keyFile.path("project_id").asText()).isEqualTo(PROJECT);
        assertThat(keyFile.path("private_key_id").asText()).matches("[0-9a-f]{40}");
        assertThat(keyFile.path("private_key").asText()).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(keyFile.path("client_email").asText()).endsWith("@" + PROJECT + ".iam.gserviceaccount.com");
        assertThat(keyFile.path("client_id").asText()).isNotBlank();
        assertThat(keyFile.path("token_uri").asText()).isEqualTo(stubs.base() + "/fcm/token");
    }

    @Test
    void aSignedAssertionGetsATokenThatSends() throws Exception {
        HttpResponse<String> granted = token(FcmStub.JWT_BEARER, assertion());
        assertThat(granted.statusCode()).isEqualTo(200);
        JsonNode token = JSON.readTree(granted.body());
        assertThat(token.path("access_token").asText()).isNotBlank();
        assertThat(token.path("expires_in").asInt()).isEqualTo(3599);
        assertThat(token.path("token_type").asText()).isEqualTo("Bearer");

        HttpResponse<String> sent = send(PROJECT, token.path("access_token").asText(), push("device-1"));
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(sent.body()).path("name").asText()).startsWith("projects/" + PROJECT + "/messages/");

        JsonNode received = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stubs.base()
                + "/_received/fcm")).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode last = received.get(received.size() - 1);
        assertThat(last.path("path").asText()).isEqualTo("/fcm/v1/projects/" + PROJECT + "/messages:send");
        assertThat(last.path("body").path("message").path("notification").path("title").asText()).isEqualTo("Заказ");
        assertThat(last.path("status").asInt()).isEqualTo(200);
        JsonNode signIn = received.get(received.size() - 2);
        assertThat(signIn.path("path").asText()).isEqualTo("/fcm/token");
        assertThat(signIn.path("claims").path("iss").asText()).isEqualTo(keyFile.path("client_email").asText());
    }

    @Test
    void aKeyFileWrittenBeforeIsAcceptedByANewStandIn() throws Exception {
        FcmStub.ServiceAccount kept = FcmStub.ServiceAccount.parse(stubs.fcm().serviceAccount().json());
        try (StubServer again = StubServer.start(0, StubServer.Credentials.demo().withFcm(PROJECT, kept))) {
            JsonNode file = JSON.readTree(again.fcm().serviceAccount().json());
            assertThat(file.path("private_key").asText()).isEqualTo(keyFile.path("private_key").asText());
            assertThat(file.path("token_uri").asText()).isEqualTo(again.base() + "/fcm/token");
            long now = Instant.now().getEpochSecond();
            String form = "grant_type=" + URLEncoder.encode(FcmStub.JWT_BEARER, StandardCharsets.UTF_8)
                    + "&assertion=" + assertion(file, file.path("token_uri").asText(), now, now + 3600, FcmStub.SCOPE);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(file.path("token_uri").asText()))
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anAssertionOfAnotherKeyAudienceTimeOrScopeIsRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        String uri = keyFile.path("token_uri").asText();
        JsonNode stranger = JSON.readTree(FcmStub.newServiceAccount(PROJECT, URI.create(uri)));
        ObjectNode impostor = stranger.deepCopy();
        impostor.put("client_email", keyFile.path("client_email").asText()).put("private_key_id",
                keyFile.path("private_key_id").asText());
        assertThat(grantRefused(token(FcmStub.JWT_BEARER, assertion(impostor, uri, now, now + 3600, FcmStub.SCOPE)),
                "invalid_grant").path("error_description").asText()).isEqualTo("Invalid JWT Signature.");
        grantRefused(token(FcmStub.JWT_BEARER, assertion(stranger, uri, now, now + 3600, FcmStub.SCOPE)),
                "invalid_grant");
        assertThat(grantRefused(token(FcmStub.JWT_BEARER, assertion(keyFile, "https://example.com/token", now,
                now + 3600, FcmStub.SCOPE)), "invalid_grant").path("error_description").asText())
                .contains("audience");
        grantRefused(token(FcmStub.JWT_BEARER, assertion(keyFile, uri, now, now + 7200, FcmStub.SCOPE)),
                "invalid_grant");
        grantRefused(token(FcmStub.JWT_BEARER, assertion(keyFile, uri, now - 7200, now - 3600, FcmStub.SCOPE)),
                "invalid_grant");
        grantRefused(token(FcmStub.JWT_BEARER, assertion(keyFile, uri, now, now + 3600,
                "https://www.googleapis.com/auth/userinfo.email")), "invalid_scope");
        grantRefused(token(FcmStub.JWT_BEARER, "not.a.jwt"), "invalid_grant");
        grantRefused(token("client_credentials", assertion()), "unsupported_grant_type");
    }

    @Test
    void aMissingUnknownOrRevokedBearerIsUnauthenticated() throws Exception {
        refused(send(PROJECT, null, push("device-1")), 401, "UNAUTHENTICATED");
        refused(send(PROJECT, "ya29.guess", push("device-1")), 401, "UNAUTHENTICATED");
        String token = accessToken();
        assertThat(send(PROJECT, token, push("device-1")).statusCode()).isEqualTo(200);
        stubs.fcm().revokeTokens();
        refused(send(PROJECT, token, push("device-1")), 401, "UNAUTHENTICATED");
    }

    @Test
    void anUnregisteredTokenIsNotFound() throws Exception {
        stubs.fcm().unregister("uninstalled");
        JsonNode e = refused(send(PROJECT, accessToken(), push("uninstalled")), 404, "NOT_FOUND");
        assertThat(e.path("message").asText()).isEqualTo("Requested entity was not found.");
        assertThat(fcmError(e)).isEqualTo("UNREGISTERED");
    }

    @Test
    void aMessageWithoutRecipientWithNonStringDataOrTooBigIsAnInvalidArgument() throws Exception {
        String token = accessToken();
        assertThat(fcmError(refused(send(PROJECT, token, "{\"message\":{\"notification\":{\"title\":\"t\"}}}"), 400,
                "INVALID_ARGUMENT"))).isEqualTo("INVALID_ARGUMENT");
        refused(send(PROJECT, token, "{\"message\":{\"token\":\"d\",\"data\":{\"n\":1}}}"), 400, "INVALID_ARGUMENT");
        String big = "{\"message\":{\"token\":\"d\",\"data\":{\"blob\":\"" + "x".repeat(4100) + "\"}}}";
        assertThat(fcmError(refused(send(PROJECT, token, big), 400, "INVALID_ARGUMENT")))
                .isEqualTo("INVALID_ARGUMENT");
        String justFits = "{\"message\":{\"token\":\"d\",\"data\":{\"blob\":\"" + "x".repeat(4070) + "\"}}}";
        assertThat(send(PROJECT, token, justFits).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherProjectIsDenied() throws Exception {
        refused(send("someone-else", accessToken(), push("device-1")), 403, "PERMISSION_DENIED");
    }

    @Test
    void quotaAndOutagesAnswerWithRetryAfter() throws Exception {
        String token = accessToken();
        stubs.fcm().failNext(429, 1, 7);
        HttpResponse<String> quota = send(PROJECT, token, push("device-1"));
        assertThat(fcmError(refused(quota, 429, "RESOURCE_EXHAUSTED"))).isEqualTo("QUOTA_EXCEEDED");
        assertThat(quota.headers().firstValue("Retry-After")).hasValue("7");
        stubs.fcm().failNext(503, 1);
        HttpResponse<String> down = send(PROJECT, token, push("device-1"));
        assertThat(fcmError(refused(down, 503, "UNAVAILABLE"))).isEqualTo("UNAVAILABLE");
        assertThat(down.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(send(PROJECT, token, push("device-1")).statusCode()).isEqualTo(200);
    }

    @Test
    void theProcessWritesItsKeyFileOwnerOnlyAndKeepsItsKeyWhenRestarted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("local/fcm-service-account.json");
        Map<String, String> env = Map.of("RAPPORT_STUBS_PORT", "0", "RAPPORT_FCM_PROJECT_ID", "rapport-local",
                "RAPPORT_FCM_SERVICE_ACCOUNT_FILE", file.toString());
        String firstKey;
        try (StubServer first = StubServer.launch(env, new String[0])) {
            JsonNode written = JSON.readTree(Files.readString(file));
            assertThat(written.path("project_id").asText()).isEqualTo("rapport-local");
            assertThat(written.path("token_uri").asText()).isEqualTo(first.base() + "/fcm/token");
            assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE);
            firstKey = written.path("private_key").asText();
        }
        try (StubServer again = StubServer.launch(env, new String[0])) {
            JsonNode written = JSON.readTree(Files.readString(file));
            assertThat(written.path("private_key").asText()).isEqualTo(firstKey);
            assertThat(written.path("token_uri").asText()).isEqualTo(again.base() + "/fcm/token");
        }
    }
}

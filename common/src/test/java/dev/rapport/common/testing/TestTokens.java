package dev.rapport.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Real tokens from the Keycloak realm {@code rapport} that the tests run against ({@code RAPPORT_KEYCLOAK_URL},
 * {@code http://localhost:8180} by default): demo users by password grant, services by client credentials.
 */
public final class TestTokens {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private record Cached(String token, Instant expires) {
    }

    private TestTokens() {
    }

    public static String keycloakUrl() {
        String url = System.getenv("RAPPORT_KEYCLOAK_URL");
        return url == null || url.isBlank() ? "http://localhost:8180" : url;
    }

    /** An access token of a demo user (integrator, marketer, agent, admin, nobody); the password is the user name. */
    public static String user(String username) {
        return CACHE.compute("user:" + username, (k, cached) -> fresh(cached) ? cached
                : fetch(Map.of("grant_type", "password", "client_id", "rapport-cli", "username", username,
                        "password", username))).token();
    }

    /** A client-credentials token of a service's client, with its secret from {@code RAPPORT_<CLIENT>_SECRET}. */
    public static String service(String clientId) {
        String variable = "RAPPORT_" + clientId.toUpperCase().replace('-', '_') + "_SECRET";
        String secret = System.getenv(variable);
        if (secret == null) {
            throw new IllegalStateException(variable + " is not set; run the tests with `make test`");
        }
        return CACHE.compute("service:" + clientId, (k, cached) -> fresh(cached) ? cached
                : fetch(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret)))
                .token();
    }

    private static boolean fresh(Cached cached) {
        return cached != null && Instant.now().plusSeconds(30).isBefore(cached.expires());
    }

    private static Cached fetch(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest
                .newBuilder(URI.create(keycloakUrl() + "/realms/rapport/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Keycloak refused a token: " + response.statusCode() + " " + response.body());
            }
            JsonNode json = JSON.readTree(response.body());
            return new Cached(json.get("access_token").asText(),
                    Instant.now().plusSeconds(json.get("expires_in").asLong()));
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak is not reachable at " + keycloakUrl(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.rapport.desk.client;

import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.desk.config.DeskConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * Zendesk's ticket API as the bridge uses it: reading a ticket's status (reconciliation) and opening a ticket (an
 * unhappy customer), authenticated with an API token. A deadline and a circuit breaker bound a slow or failing
 * Zendesk; the callers try again later. Failures say whether trying again can help ({@link Refused} never does).
 */
@ApplicationScoped
public class ZendeskClient {

    /** Zendesk refused the request for good (bad credentials, an invalid ticket): trying again does not help. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Zendesk could not take the request now (busy, down, unreachable): it may be tried again. */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ZendeskApi api;
    private final String authorization;

    public ZendeskClient(DeskConfig config) {
        this.api = config.zendeskApiUrl().map(url -> QuarkusRestClientBuilder.newBuilder().baseUri(url)
                .build(ZendeskApi.class)).orElse(null);
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((config.zendeskApiUser().orElse("")
                + "/token:" + config.zendeskApiToken().orElse("")).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether Zendesk's API is set up ({@code rapport.desk.zendesk-api-url}). */
    public boolean configured() {
        return api != null;
    }

    /** A ticket's status in Zendesk ({@code new}, {@code open}, … {@code closed}), or empty when it has none. */
    @AsynchronousNonBlocking
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            skipOn = Refused.class)
    public Uni<Optional<String>> status(String ticketId) {
        return answer(api().show(ticketId, authorization)).map(r -> {
            try (r) {
                if (r.getStatus() == 404) {
                    return Optional.<String>empty();
                }
                JsonNode body = ok(r, "reading ticket " + ticketId);
                String status = body.path("ticket").path("status").asText("");
                if (status.isBlank()) {
                    throw new Unavailable("Zendesk answered ticket " + ticketId + " without a status");
                }
                return Optional.of(status);
            }
        });
    }

    /**
     * Opens a ticket ({@code ticket} is Create Ticket's {@code ticket} object); answers its Zendesk id. The key makes a
     * repeat of the same request (after a timeout) answer the first ticket instead of opening a second one.
     */
    @AsynchronousNonBlocking
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            skipOn = Refused.class)
    public Uni<String> create(String idempotencyKey, JsonNode ticket) {
        String body = JSON.createObjectNode().set("ticket", ticket).toString();
        return answer(api().create(authorization, idempotencyKey, body)).map(r -> {
            try (r) {
                String id = ok(r, "opening a ticket").path("ticket").path("id").asText("");
                if (id.isBlank()) {
                    throw new Unavailable("Zendesk answered the new ticket without its id");
                }
                return id;
            }
        });
    }

    private ZendeskApi api() {
        if (api == null) {
            throw new IllegalStateException("Zendesk's API is not set up (rapport.desk.zendesk-api-url)");
        }
        return api;
    }

    /** Zendesk's answer whatever its status (the client turns 4xx and 5xx into failures carrying it). */
    private static Uni<Response> answer(Uni<Response> call) {
        return call.onFailure(WebApplicationException.class)
                .recoverWithItem(f -> f.getResponse())
                .onFailure(f -> !(f instanceof Refused || f instanceof Unavailable))
                .transform(f -> new Unavailable("Zendesk cannot be reached: " + f.getMessage()));
    }

    /** The body of a 2xx answer; anything else fails as Zendesk's documented errors mean. */
    private static JsonNode ok(Response r, String doing) {
        int status = r.getStatus();
        String text = r.hasEntity() ? r.readEntity(String.class) : "";
        if (status >= 200 && status < 300) {
            try {
                return JSON.readTree(text);
            } catch (java.io.IOException e) {
                throw new Unavailable("Zendesk answered " + doing + " with a body that is not JSON");
            }
        }
        String error = error(text);
        if (status == 429 || status == 409 || status >= 500) {
            throw new Unavailable("Zendesk answered " + status + " " + error + " " + doing);
        }
        throw new Refused("Zendesk refused " + doing + ": " + status + " " + error);
    }

    private static String error(String text) {
        try {
            JsonNode e = JSON.readTree(text);
            return (e.path("error").asText("") + " " + e.path("description").asText("")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}

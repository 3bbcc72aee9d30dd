package dev.rapport.common.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * At start, checks once that Redis and Keycloak answer and, for each that does not, writes one log line naming it and
 * where it was looked for. Readiness ({@code /q/health/ready}) keeps reporting them until they answer.
 */
@Singleton
public class StartupDependencyReport {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ReactiveRedisDataSource redis;
    private final List<String> redisHosts;
    private final String oidcUrl;

    public StartupDependencyReport(ReactiveRedisDataSource redis,
            @ConfigProperty(name = "quarkus.redis.hosts") List<String> redisHosts,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") String oidcUrl) {
        this.redis = redis;
        this.redisHosts = redisHosts;
        this.oidcUrl = oidcUrl;
    }

    void onStart(@Observes StartupEvent event) {
        String where = String.join(",", redisHosts.stream().map(StartupDependencyReport::withoutCredentials).toList());
        redis.execute("PING").ifNoItem().after(TIMEOUT).fail().subscribe().with(
                ok -> Log.debugf("Redis answers at %s", where),
                failure -> Log.errorf("Cannot reach Redis at %s: %s. The service stays not-ready until it answers.",
                        where, reason(failure)));

        String discovery = oidcUrl.replaceAll("/+$", "") + "/.well-known/openid-configuration";
        HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
                .sendAsync(HttpRequest.newBuilder(URI.create(discovery)).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        Log.errorf("Cannot reach Keycloak at %s: %s. Tokens cannot be checked and the service stays "
                                + "not-ready until it answers.", oidcUrl, reason(failure));
                    } else if (response.statusCode() != 200) {
                        Log.errorf("Keycloak at %s answers %d for its discovery document: is the realm imported? "
                                + "The service stays not-ready until it answers.", oidcUrl, response.statusCode());
                    }
                });
    }

    /** A Redis URL without its user and password, for logs. */
    static String withoutCredentials(String url) {
        return url.replaceAll("//[^@/]*@", "//");
    }

    /** The most telling message of a failure chain: a refused connection says so even when the JDK gives no text. */
    static String reason(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
                return "connection refused";
            }
            if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
                return "no answer in " + TIMEOUT.toSeconds() + " s";
            }
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return LogSanitizer.sanitize(message == null ? failure.getClass().getSimpleName() : message);
    }
}

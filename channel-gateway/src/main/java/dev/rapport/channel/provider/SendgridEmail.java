package dev.rapport.channel.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.config.ChannelConfig.EmailProvider;
import dev.rapport.channel.tracking.EmailTracking.Tracked;
import dev.rapport.channel.tracking.Tracking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Email through SendGrid's v3 mail send: {@code POST {url}/v3/mail/send} with a bearer API key and
 * {@code {"personalizations":[{"to":[{"email"}],"custom_args":{"message_id":<Rapport's id>}}],"from":{"email","name"},
 * "subject","content":[text/plain, text/html],"headers":{…}}}, answered {@code 202} with {@code X-Message-Id}, the
 * provider's id (SendGrid's events carry it as the start of {@code sg_message_id}, and Rapport's id as
 * {@code message_id}). The mail goes with its tracking ({@link Tracking}) as over SMTP: the tracked parts, the
 * {@code List-Unsubscribe} headers, and Rapport's id in {@code X-Rapport-Message-Id}. Refusals: 429 waits for
 * {@code Retry-After} or {@code X-RateLimit-Reset}; 5xx and network failures are temporary, and so are 401 and 403 (a
 * wrong or revoked key, a missing permission: the configuration's fault, so the message is kept); any other 4xx (an
 * invalid address or sender, content SendGrid refuses) is permanent. On only when
 * {@code rapport.channel.email-provider} is {@code sendgrid} and {@code rapport.channel.sendgrid.url} and its key are
 * set.
 */
@ApplicationScoped
public class SendgridEmail implements Provider {

    private final WebClient client;
    private final long timeout;
    private final Tracking tracking;
    private final Clock clock;
    private final Optional<String> url;
    private final String apiKey;
    private final boolean chosen;
    private final JsonObject from;

    public SendgridEmail(Vertx vertx, ChannelConfig config, Tracking tracking, Clock clock) {
        this.client = ProviderClients.create(vertx, config);
        this.timeout = config.providerTimeout().toMillis();
        this.tracking = tracking;
        this.clock = clock;
        this.url = config.sendgrid().url().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .filter(u -> !u.isBlank());
        this.apiKey = config.sendgrid().apiKey();
        this.chosen = config.emailProvider() == EmailProvider.SENDGRID
                || config.emailFallback().filter(EmailProvider.SENDGRID::equals).isPresent();
        this.from = sender(config.emailFrom());
    }

    @Override
    public String name() {
        return "sendgrid";
    }

    @Override
    public String channel() {
        return "email";
    }

    @Override
    public boolean enabled() {
        return chosen && url.isPresent() && !apiKey.equals("none");
    }

    @Override
    public Uni<String> send(Message m) {
        Tracked tracked = tracking.email(m);
        JsonObject personalization = new JsonObject()
                .put("to", new JsonArray().add(new JsonObject().put("email", m.address())))
                .put("custom_args", new JsonObject().put("message_id", m.id()));
        // SendGrid wants text/plain before text/html
        JsonArray content = new JsonArray();
        if (tracked.text() != null) {
            content.add(new JsonObject().put("type", "text/plain").put("value", tracked.text()));
        }
        if (tracked.html() != null) {
            content.add(new JsonObject().put("type", "text/html").put("value", tracked.html()));
        }
        JsonObject headers = new JsonObject();
        tracked.headers().forEach(headers::put);
        headers.put("X-Rapport-Message-Id", m.id());
        JsonObject mail = new JsonObject().put("personalizations", new JsonArray().add(personalization))
                .put("from", from.copy()).put("subject", m.content().subject()).put("content", content)
                .put("headers", headers);
        return client.postAbs(url.orElseThrow() + "/v3/mail/send").bearerTokenAuthentication(apiKey)
                .timeout(timeout).sendJsonObject(mail)
                .onFailure().transform(f -> ProviderFailure.unanswered("SendGrid", f))
                .map(this::answer);
    }

    private String answer(HttpResponse<Buffer> r) {
        if (r.statusCode() == 202 || r.statusCode() == 200) {
            String id = r.getHeader("X-Message-Id");
            if (id == null || id.isBlank()) {
                throw ProviderFailure.temporary("SendGrid answered " + r.statusCode() + " without X-Message-Id", null,
                        null);
            }
            return id;
        }
        throw refusal(r.statusCode(), json(r), retryAfter(r.getHeader("Retry-After"),
                r.getHeader("X-RateLimit-Reset"), clock.instant()));
    }

    /** What a refusal of SendGrid means: its status, its {@code errors} body (or null) and when to try again. */
    static ProviderFailure refusal(int status, JsonObject body, Duration retryAfter) {
        List<String> errors = new ArrayList<>();
        if (body != null && body.getValue("errors") instanceof JsonArray list) {
            for (Object e : list) {
                if (e instanceof JsonObject o && o.getValue("message") instanceof String message) {
                    errors.add(o.getValue("field") instanceof String field ? field + ": " + message : message);
                }
            }
        }
        String why = "SendGrid " + status + (errors.isEmpty() ? "" : ": " + String.join("; ", errors));
        if (status == 429 || status >= 500 || status == 401 || status == 403) {
            return ProviderFailure.temporary(why, retryAfter, null);
        }
        return ProviderFailure.permanent(why);
    }

    /**
     * When SendGrid allows the next request: {@code Retry-After} in seconds, else the time until
     * {@code X-RateLimit-Reset} (epoch seconds), or null when it says neither.
     */
    static Duration retryAfter(String retryAfter, String rateLimitReset, Instant now) {
        Long seconds = number(retryAfter);
        if (seconds != null) {
            return Duration.ofSeconds(Math.max(0, seconds));
        }
        Long reset = number(rateLimitReset);
        if (reset == null) {
            return null;
        }
        Duration until = Duration.between(now, Instant.ofEpochSecond(reset));
        return until.isNegative() ? Duration.ZERO : until;
    }

    private static Long number(String header) {
        try {
            return header == null ? null : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The sender as SendGrid takes it, from {@code Name <address>} or a bare address. */
    static JsonObject sender(String from) {
        int open = from.lastIndexOf('<');
        int close = from.lastIndexOf('>');
        if (open < 0 || close < open) {
            return new JsonObject().put("email", from.strip());
        }
        JsonObject sender = new JsonObject().put("email", from.substring(open + 1, close).strip());
        String name = from.substring(0, open).strip();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1).strip();
        }
        return name.isEmpty() ? sender : sender.put("name", name);
    }

    private static JsonObject json(HttpResponse<Buffer> r) {
        try {
            return r.body() == null ? null : r.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }
}

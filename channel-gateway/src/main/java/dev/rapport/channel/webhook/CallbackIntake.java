package dev.rapport.channel.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.repository.CallbackStore;
import dev.rapport.channel.webhook.ProviderCallbacks.Callback;
import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Takes a provider's webhook: refuses a body too large, verifies it with the provider's own scheme (a missing or wrong
 * signature, or a secret not configured, is 401), reads the events it carries (a body the provider would not send is
 * 400) and stores them before the webhook is acknowledged; a redelivered event is known and stored once. The
 * {@link CallbackApplier} applies them afterwards, so a provider is answered within milliseconds and nothing it said
 * is lost while profile-service is down.
 */
@ApplicationScoped
public class CallbackIntake {

    /** What a webhook carried: how many events, and how many of them were known already. */
    public record Taken(int events, int duplicates) {
    }

    private final CallbackStore store;
    private final CallbackApplier applier;
    private final ChannelConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;

    public CallbackIntake(CallbackStore store, CallbackApplier applier, ChannelConfig config, Clock clock,
            MeterRegistry metrics) {
        this.store = store;
        this.applier = applier;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** A Twilio status callback or inbound message ({@code kind} {@code status}, {@code inbound}). */
    public Uni<Taken> twilio(String kind, String url, String contentType, byte[] body, String signature) {
        size("twilio", body);
        String token = config.twilio().authToken();
        boolean json = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
        List<Map.Entry<String, String>> params = json ? List.of() : read("twilio", () -> ProviderCallbacks.form(body));
        boolean valid = !token.equals("none") && (json ? ProviderSignatures.twilioJson(token, url, body, signature)
                : ProviderSignatures.twilio(token, url, params, signature));
        verified("twilio", valid, "X-Twilio-Signature");
        if (json) {
            throw invalid("twilio", "Rapport's Twilio webhooks take Twilio's form posts, not JSON");
        }
        Callback c = read("twilio", () -> kind.equals("inbound") ? ProviderCallbacks.twilioInbound(params)
                : ProviderCallbacks.twilioStatus(params));
        return keep("twilio", List.of(c));
    }

    /** A SendGrid event-webhook post. */
    public Uni<Taken> sendgrid(byte[] body, String signature, String timestamp) {
        size("sendgrid", body);
        Instant now = clock.instant();
        Optional<String> key = config.webhooks().sendgridPublicKey().filter(k -> !k.isBlank());
        boolean valid = key.isPresent() && ProviderSignatures.sendgrid(key.get(), timestamp, body, signature)
                && fresh(timestamp, now, config.webhooks().sendgridMaxAge());
        verified("sendgrid", valid, "X-Twilio-Email-Event-Webhook-Signature");
        return keep("sendgrid", read("sendgrid", () -> ProviderCallbacks.sendgrid(body)));
    }

    /** A Telegram update. */
    public Uni<Taken> telegram(byte[] body, String secret) {
        size("telegram", body);
        boolean valid = config.webhooks().telegramSecret().map(s -> ProviderSignatures.telegram(s, secret))
                .orElse(false);
        verified("telegram", valid, "X-Telegram-Bot-Api-Secret-Token");
        return keep("telegram", List.of(read("telegram", () -> ProviderCallbacks.telegram(body))));
    }

    /** A WhatsApp Cloud API post. */
    public Uni<Taken> whatsapp(byte[] body, String signature) {
        size("whatsapp", body);
        boolean valid = config.webhooks().whatsappAppSecret().map(s -> ProviderSignatures.whatsapp(s, body,
                signature)).orElse(false);
        verified("whatsapp", valid, "X-Hub-Signature-256");
        return keep("whatsapp", read("whatsapp", () -> ProviderCallbacks.whatsapp(body)));
    }

    /** Meta's subscription handshake: the challenge, when the mode and the verify token are right. */
    public String whatsappChallenge(String mode, String token, String challenge) {
        boolean valid = "subscribe".equals(mode) && challenge != null && !challenge.isBlank()
                && config.webhooks().whatsappVerifyToken().map(t -> ProviderSignatures.sameSecret(t, token))
                        .orElse(false);
        verified("whatsapp", valid, "hub.verify_token");
        return challenge;
    }

    private Uni<Taken> keep(String provider, List<Callback> callbacks) {
        Instant now = clock.instant();
        return store.store(callbacks, now).map(stored -> {
            int duplicates = callbacks.size() - stored;
            metrics.counter("rapport.channel.webhooks", "provider", provider, "outcome", "stored").increment(stored);
            if (duplicates > 0) {
                metrics.counter("rapport.channel.webhooks", "provider", provider, "outcome", "duplicate")
                        .increment(duplicates);
            }
            if (stored > 0) {
                applier.wake();
            }
            return new Taken(callbacks.size(), duplicates);
        }).onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The gateway's database"));
    }

    private void size(String provider, byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid(provider, "The body is empty: a webhook carries what the provider reports.");
        }
        if (body.length > config.webhooks().maxBodyBytes()) {
            metrics.counter("rapport.channel.webhooks", "provider", provider, "outcome", "too_large").increment();
            throw new RapportException(ErrorKind.TOO_LARGE, "body_too_large", "The body is " + body.length
                    + " bytes; at most " + config.webhooks().maxBodyBytes() + " are accepted.");
        }
    }

    private void verified(String provider, boolean valid, String proof) {
        if (!valid) {
            metrics.counter("rapport.channel.webhooks", "provider", provider, "outcome", "forged").increment();
            throw new RapportException(ErrorKind.UNAUTHENTICATED, "bad_signature", "The webhook's " + proof
                    + " is missing or wrong: it is not from " + provider + ", or Rapport does not have its secret.");
        }
    }

    private <T> T read(String provider, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (ProviderCallbacks.Invalid e) {
            throw invalid(provider, "The body is not what " + provider + " sends: " + e.getMessage());
        }
    }

    private RapportException invalid(String provider, String message) {
        metrics.counter("rapport.channel.webhooks", "provider", provider, "outcome", "invalid").increment();
        return new RapportException(ErrorKind.INVALID, "invalid_webhook", message);
    }

    /** Whether a signed timestamp (Unix seconds) is no more than 5 minutes ahead, nor older than {@code past}. */
    static boolean fresh(String timestamp, Instant now, Duration past) {
        try {
            Instant at = Instant.ofEpochSecond(Long.parseLong(timestamp.strip()));
            return !at.isAfter(now.plus(Duration.ofMinutes(5))) && !at.isBefore(now.minus(past));
        } catch (RuntimeException e) {
            return false;
        }
    }
}

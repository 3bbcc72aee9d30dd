package dev.rapport.channel.provider;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * SMS through Twilio's Messages API: {@code POST {url}/2010-04-01/Accounts/{sid}/Messages.json}, form-encoded
 * {@code To}, {@code From}, {@code Body} and, once {@code rapport.channel.webhooks.public-url} is set, a
 * {@code StatusCallback} at the gateway's {@code /webhooks/twilio/status} (so Twilio reports deliveries without a
 * Messaging Service configured for it), HTTP Basic with the account SID and auth token; the message's {@code sid} is
 * the provider's id. Twilio's refusals are read by their error code: an invalid or unsubscribed number (21211, 21610,
 * 21614) can never be reached; another 4xx is permanent; 429 (20429) waits for {@code Retry-After}; 5xx and network
 * failures are temporary. Off while {@code rapport.channel.twilio.url} is empty.
 */
@ApplicationScoped
public class TwilioSms implements Provider {

    /** Twilio's codes for a number that can never take a message. */
    private static final Set<Integer> UNREACHABLE = Set.of(21211, 21610, 21612, 21614);

    private final WebClient client;
    private final long timeout;
    private final Optional<String> url;
    private final String accountSid;
    private final String authToken;
    private final String from;
    private final Optional<String> statusCallback;

    public TwilioSms(Vertx vertx, ChannelConfig config) {
        this.client = ProviderClients.create(vertx, config);
        this.timeout = config.providerTimeout().toMillis();
        this.url = config.twilio().url().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .filter(u -> !u.isBlank());
        this.accountSid = config.twilio().accountSid();
        this.authToken = config.twilio().authToken();
        this.from = config.twilio().from();
        this.statusCallback = config.webhooks().publicUrl().filter(u -> !u.isBlank())
                .map(u -> (u.endsWith("/") ? u.substring(0, u.length() - 1) : u) + "/webhooks/twilio/status");
    }

    @Override
    public String name() {
        return "twilio";
    }

    @Override
    public String channel() {
        return "sms";
    }

    @Override
    public boolean enabled() {
        return url.isPresent() && !accountSid.equals("none") && !authToken.equals("none");
    }

    @Override
    public Uni<String> send(Message m) {
        MultiMap form = MultiMap.caseInsensitiveMultiMap().add("To", m.address()).add("From", from)
                .add("Body", m.content().text());
        statusCallback.ifPresent(u -> form.add("StatusCallback", u));
        return client.postAbs(url.orElseThrow() + "/2010-04-01/Accounts/" + accountSid + "/Messages.json")
                .basicAuthentication(accountSid, authToken).timeout(timeout).sendForm(form)
                .onFailure().transform(f -> ProviderFailure.unanswered("Twilio", f))
                .map(TwilioSms::answer);
    }

    private static String answer(HttpResponse<Buffer> r) {
        JsonObject body = json(r);
        if (r.statusCode() == 201 || r.statusCode() == 200) {
            String sid = body == null ? null : body.getString("sid");
            if (sid == null) {
                throw ProviderFailure.temporary("Twilio answered " + r.statusCode() + " without a sid", null, null);
            }
            return sid;
        }
        int code = body == null ? 0 : body.getInteger("code", 0);
        String why = "Twilio " + r.statusCode() + (code == 0 ? "" : " error " + code) + (body == null ? ""
                : ": " + body.getString("message", ""));
        if (r.statusCode() == 429 || r.statusCode() >= 500 || r.statusCode() == 401 || r.statusCode() == 403) {
            throw ProviderFailure.temporary(why, retryAfter(r), null);
        }
        throw UNREACHABLE.contains(code) ? ProviderFailure.unreachable(why) : ProviderFailure.permanent(why);
    }

    private static JsonObject json(HttpResponse<Buffer> r) {
        try {
            return r.body() == null ? null : r.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A {@code Retry-After} in seconds, or null. */
    static Duration retryAfter(HttpResponse<Buffer> r) {
        String value = r.getHeader("Retry-After");
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package dev.rapport.channel.provider;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Messenger messages to {@code whatsapp:<number or WhatsApp id>} through the WhatsApp Cloud API:
 * {@code POST {url}/{version}/{phone number id}/messages} with a bearer access token and
 * {@code {"messaging_product":"whatsapp","recipient_type":"individual","to":…,"type":"text","text":{"body":…}}};
 * the answer's {@code messages[0].id} ({@code wamid.…}) is the provider's id. Refusals are read by the Graph API's
 * {@code error.code}: 131026 (undeliverable), 131030 (not on the allowed list) and 133010 (number not registered)
 * mean the number can never be reached; 130429 and 131056 (throughput, pair rate), 131048 (spam rate), 80007 and 4
 * (rate limits) and any 5xx wait, no sooner than a {@code Retry-After}; a 401 (code 190, the token expired or was
 * revoked) is the configuration's fault and is tried again too; any other refusal is permanent. Network failures are
 * temporary. Off while {@code rapport.channel.whatsapp.url}, the token or the phone number id is unset.
 */
@ApplicationScoped
public class WhatsappMessenger implements Provider {

    /** The Graph API's codes for a number that can never take a message. */
    static final Set<Integer> UNREACHABLE = Set.of(131026, 131030, 133010);
    /** The codes of limits that pass: throughput, pair rate, spam rate, the app's and the account's rate limits. */
    static final Set<Integer> LATER = Set.of(130429, 131048, 131056, 80007, 4);

    private final WebClient client;
    private final long timeout;
    private final Optional<String> url;
    private final String version;
    private final String token;
    private final String phoneNumberId;

    public WhatsappMessenger(Vertx vertx, ChannelConfig config) {
        this.client = ProviderClients.create(vertx, config);
        this.timeout = config.providerTimeout().toMillis();
        this.url = config.whatsapp().url().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .filter(u -> !u.isBlank());
        this.version = config.whatsapp().version();
        this.token = config.whatsapp().token();
        this.phoneNumberId = config.whatsapp().phoneNumberId();
    }

    @Override
    public String name() {
        return "whatsapp";
    }

    @Override
    public String channel() {
        return "messenger";
    }

    @Override
    public boolean enabled() {
        return url.isPresent() && !token.equals("none") && !phoneNumberId.equals("none");
    }

    @Override
    public boolean takes(Message m) {
        return m.channel().equals("messenger") && m.address().startsWith("whatsapp:");
    }

    @Override
    public Uni<String> send(Message m) {
        String to = m.address().substring("whatsapp:".length());
        JsonObject body = new JsonObject().put("messaging_product", "whatsapp").put("recipient_type", "individual")
                .put("to", to).put("type", "text").put("text", new JsonObject().put("body", m.content().text()));
        return client.postAbs(url.orElseThrow() + "/" + version + "/" + phoneNumberId + "/messages")
                .bearerTokenAuthentication(token).timeout(timeout).sendJsonObject(body)
                .onFailure().transform(f -> ProviderFailure.unanswered("WhatsApp", f))
                .map(WhatsappMessenger::answer);
    }

    private static String answer(HttpResponse<Buffer> r) {
        JsonObject body = json(r);
        if (r.statusCode() == 200) {
            JsonArray messages = body == null || !(body.getValue("messages") instanceof JsonArray a) ? null : a;
            Object first = messages == null || messages.isEmpty() ? null : messages.getValue(0);
            String id = first instanceof JsonObject o ? o.getString("id") : null;
            if (id == null || id.isBlank()) {
                throw ProviderFailure.temporary("WhatsApp answered 200 without a message id", null, null);
            }
            return id;
        }
        throw refusal(r.statusCode(), body, TwilioSms.retryAfter(r));
    }

    /** What a refusal of the Graph API means: its status, its error body (or null) and its {@code Retry-After}. */
    static ProviderFailure refusal(int status, JsonObject body, Duration retryAfter) {
        JsonObject error = body == null || !(body.getValue("error") instanceof JsonObject e) ? null : e;
        int code = error != null && error.getValue("code") instanceof Number n ? n.intValue() : 0;
        JsonObject data = error == null || !(error.getValue("error_data") instanceof JsonObject d) ? null : d;
        String details = data == null ? "" : String.valueOf(data.getValue("details", ""));
        String why = "WhatsApp " + status + (code == 0 ? "" : " error " + code) + (error == null ? ""
                : ": " + error.getValue("message", "")) + (details.isBlank() ? "" : " (" + details + ")");
        if (UNREACHABLE.contains(code)) {
            return ProviderFailure.unreachable(why);
        }
        if (LATER.contains(code) || status >= 500 || status == 429 || status == 401) {
            return ProviderFailure.temporary(why, retryAfter, null);
        }
        return ProviderFailure.permanent(why);
    }

    private static JsonObject json(HttpResponse<Buffer> r) {
        try {
            return r.body() == null ? null : r.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }
}

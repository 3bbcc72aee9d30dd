package dev.rapport.channel.provider;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Messenger messages to {@code telegram:<chat id>} through the Telegram Bot API's {@code sendMessage}; the answer's
 * {@code message_id} (with the chat) is the provider's id. The Bot API's refusals: 403 (the user blocked the bot, the
 * account is deactivated) means the chat can never be reached; 429 waits {@code parameters.retry_after} seconds; 400
 * is permanent; 401, 5xx and network failures are temporary. Off while {@code rapport.channel.telegram.url} is empty.
 */
@ApplicationScoped
public class TelegramMessenger implements Provider {

    private final WebClient client;
    private final long timeout;
    private final Optional<String> url;
    private final String token;

    public TelegramMessenger(Vertx vertx, ChannelConfig config) {
        this.client = ProviderClients.create(vertx, config);
        this.timeout = config.providerTimeout().toMillis();
        this.url = config.telegram().url().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .filter(u -> !u.isBlank());
        this.token = config.telegram().botToken();
    }

    @Override
    public String name() {
        return "telegram";
    }

    @Override
    public String channel() {
        return "messenger";
    }

    @Override
    public boolean enabled() {
        return url.isPresent() && !token.equals("none");
    }

    @Override
    public boolean takes(Message m) {
        return m.channel().equals("messenger") && m.address().startsWith("telegram:");
    }

    @Override
    public Uni<String> send(Message m) {
        String chat = m.address().substring("telegram:".length());
        JsonObject body = new JsonObject().put("chat_id", chat).put("text", m.content().text());
        return client.postAbs(url.orElseThrow() + "/bot" + token + "/sendMessage").timeout(timeout)
                .sendJsonObject(body)
                .onFailure().transform(f -> ProviderFailure.unanswered("Telegram", f))
                .map(r -> answer(chat, r));
    }

    private static String answer(String chat, HttpResponse<Buffer> r) {
        JsonObject body = json(r);
        if (r.statusCode() == 200 && body != null && body.getBoolean("ok", false)) {
            JsonObject result = body.getJsonObject("result");
            Object id = result == null ? null : result.getValue("message_id");
            if (id == null) {
                throw ProviderFailure.temporary("Telegram answered ok without a message_id", null, null);
            }
            return chat + ":" + id;
        }
        String why = "Telegram " + r.statusCode() + (body == null ? "" : ": " + body.getString("description", ""));
        if (r.statusCode() == 429) {
            JsonObject parameters = body == null ? null : body.getJsonObject("parameters");
            Integer wait = parameters == null ? null : parameters.getInteger("retry_after");
            throw ProviderFailure.temporary(why, wait == null ? TwilioSms.retryAfter(r) : Duration.ofSeconds(wait),
                    null);
        }
        if (r.statusCode() == 403) {
            throw ProviderFailure.unreachable(why);
        }
        if (r.statusCode() == 400) {
            throw ProviderFailure.permanent(why);
        }
        throw ProviderFailure.temporary(why, null, null);
    }

    private static JsonObject json(HttpResponse<Buffer> r) {
        try {
            return r.body() == null ? null : r.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }
}

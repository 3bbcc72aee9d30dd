package dev.rapport.channel.provider;

import dev.rapport.channel.Message;
import io.smallrye.mutiny.Uni;

/**
 * A provider a channel sends through (SMTP, SendGrid, Twilio, FCM, Telegram, WhatsApp), configured by its base URL,
 * credentials and rate limit. A send answers the provider's id of the message, or fails with {@link ProviderFailure}
 * saying whether trying again can help.
 */
public interface Provider {

    /** The provider's name as messages record it ({@code smtp}, {@code twilio}, …). */
    String name();

    /** The channel it serves. */
    String channel();

    /** Whether it is configured (a provider without its URL or credentials sends nothing). */
    default boolean enabled() {
        return true;
    }

    /** Whether it can take this message (a messenger provider takes its own kind of address). */
    default boolean takes(Message m) {
        return m.channel().equals(channel());
    }

    /** Hands the message to the provider; answers the provider's id for it. */
    Uni<String> send(Message m);
}

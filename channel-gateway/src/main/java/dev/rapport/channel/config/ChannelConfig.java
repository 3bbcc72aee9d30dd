package dev.rapport.channel.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** channel-gateway's settings ({@code rapport.channel.*}). */
@ConfigMapping(prefix = "rapport.channel")
public interface ChannelConfig {

    /** The sender of email ({@code Name <address>}). */
    @WithDefault("Rapport <noreply@rapport.local>")
    String emailFrom();

    /** The most SMS parts a message may take; a longer one is refused ({@code 422 channel_rule}). */
    @WithDefault("10")
    int smsMaxParts();

    /** How often the dispatcher looks for due messages when nobody wakes it. */
    @WithDefault("200ms")
    Duration dispatchInterval();

    /** How many messages one dispatch round claims. */
    @WithDefault("200")
    int dispatchBatchSize();

    /** How many hand-offs a round runs at once. */
    @WithDefault("32")
    int dispatchConcurrency();

    /** How long a claimed message is this replica's; past it, the hand-off counts as interrupted. */
    @WithDefault("2m")
    Duration lease();

    /** How many temporary failures a message takes before it ends as failed. */
    @WithDefault("10")
    int maxAttempts();

    /** The first pause after a temporary failure; it doubles with each one, with jitter, up to the most. */
    @WithDefault("1s")
    Duration firstBackoff();

    /** The longest pause between two attempts. */
    @WithDefault("10m")
    Duration maxBackoff();

    /** How often the events of messages are recorded on the profiles when nobody wakes the recorder. */
    @WithDefault("500ms")
    Duration eventInterval();

    /** How many events one recording round takes. */
    @WithDefault("500")
    int eventBatchSize();

    /** SMS through Twilio's Messages API; off while the URL is unset. */
    Twilio twilio();

    /** Twilio's API and the account messages are sent from. */
    interface Twilio {

        /** The API's base URL ({@code https://api.twilio.com}); the local stack's stand-in in {@code make run}. */
        Optional<String> url();

        /** The account SID (HTTP Basic user). */
        @WithDefault("none")
        String accountSid();

        /** The account's auth token (HTTP Basic password). */
        @WithDefault("none")
        String authToken();

        /** The sender: a number in E.164, a short code or an alphanumeric sender ID. */
        @WithDefault("Rapport")
        String from();
    }

    /** Messenger messages to {@code telegram:<chat id>} through the Telegram Bot API; off while the URL is unset. */
    Telegram telegram();

    /** The Bot API and the bot that sends. */
    interface Telegram {

        /** The API's base URL ({@code https://api.telegram.org}); the local stack's stand-in in {@code make run}. */
        Optional<String> url();

        /** The bot's token ({@code <bot id>:<secret>}), part of every path of the Bot API. */
        @WithDefault("none")
        String botToken();
    }
}

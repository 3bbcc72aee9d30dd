package dev.rapport.channel.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** channel-gateway's settings ({@code rapport.channel.*}). */
@ConfigMapping(prefix = "rapport.channel")
public interface ChannelConfig {

    /** The sender of email ({@code Name <address>}). */
    @WithDefault("Rapport <noreply@rapport.local>")
    String emailFrom();

    /** The language of a message to a person whose profile names no locale ({@code ru}, {@code en}). */
    @WithDefault("ru")
    String defaultLanguage();

    /** The most SMS parts a message may take; a longer one is refused ({@code 422 channel_rule}). */
    @WithDefault("10")
    int smsMaxParts();

    /** How often the dispatcher looks for due messages when nobody wakes it. */
    @WithDefault("200ms")
    Duration dispatchInterval();

    /** How many messages one dispatch round claims. */
    @WithDefault("200")
    int dispatchBatchSize();

    /**
     * How many hand-offs this replica runs at once (each waits for its provider's answer, at most its timeout); a round
     * claims only as many messages as there are free slots, so one slow provider call never holds the others.
     */
    @WithDefault("64")
    int dispatchConcurrency();

    /**
     * How long a provider has to answer a send. Past it the call counts as unanswered: the provider may have taken
     * the message, so a marketing one is not sent again (docs/adr/0012). It must be well under the lease.
     */
    @WithDefault("15s")
    Duration providerTimeout();

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

    /**
     * Each provider's rate limit in units per second, shared by every replica ({@code rate-limits.twilio=10}): an SMS
     * takes one unit per segment, anything else one. A provider not named, or named with 0, has none.
     */
    Map<String, Integer> rateLimits();

    /** When a provider counts as failing, so that the next provider of its channel takes over for a while. */
    CircuitBreaker circuitBreaker();

    /** A provider's circuit opens when enough of its recent hand-offs failed for now, and closes once it answers. */
    interface CircuitBreaker {

        /** How many recent hand-offs are looked at. */
        @WithDefault("20")
        int requestVolume();

        /** The share of them that failed for now (not a refused message, not a {@code Retry-After}) that opens it. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long it stays open before one hand-off tries the provider again. */
        @WithDefault("30s")
        Duration delay();

        /** How many hand-offs in a row must then succeed for it to close. */
        @WithDefault("2")
        int successThreshold();
    }

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

    /**
     * Which provider email goes through: {@code smtp} (the Quarkus mailer, {@code quarkus.mailer.*}) or
     * {@code sendgrid} (SendGrid's v3 mail send, {@link #sendgrid()}). Email goes through exactly one: the other is
     * off, and SendGrid chosen without its URL and key leaves email without a provider ({@code 422 no_provider}).
     */
    @WithDefault("smtp")
    EmailProvider emailProvider();

    /**
     * The provider that takes over email while the chosen one keeps failing (its circuit open, see
     * {@link #circuitBreaker()}), then hands back; unset (or the chosen one), none. Each mail goes through one of them.
     */
    Optional<EmailProvider> emailFallback();

    /** The providers email can go through. */
    enum EmailProvider {
        SMTP,
        SENDGRID
    }

    /**
     * Email through SendGrid's v3 mail send when {@link #emailProvider()} is {@code sendgrid}; off while the URL or
     * the key is unset.
     */
    Sendgrid sendgrid();

    /** SendGrid's API and the key it is called with. */
    interface Sendgrid {

        /** The API's base URL ({@code https://api.sendgrid.com}); the local stack's stand-in in {@code make run}. */
        Optional<String> url();

        /** The API key ({@code SG.…}, with the Mail Send permission), sent as a bearer token. */
        @WithDefault("none")
        String apiKey();
    }

    /** Push through FCM's HTTP v1 API with a service account; off while the URL or the key file is unset. */
    Fcm fcm();

    /** FCM's API and the service account that signs in to it. */
    interface Fcm {

        /** The API's base URL ({@code https://fcm.googleapis.com}); the local stack's stand-in in {@code make run}. */
        Optional<String> url();

        /**
         * The service account's JSON key file, as the Google Cloud console hands it out ({@code client_email},
         * {@code private_key}, {@code token_uri}, …); read at each sign-in, so a rotated key is taken up within the
         * hour.
         */
        Optional<String> serviceAccountFile();

        /** The Firebase project messages are sent for; unset, the key file's {@code project_id}. */
        Optional<String> projectId();
    }

    /**
     * Messenger messages to {@code whatsapp:<number>} through the WhatsApp Cloud API; off while the URL, the token or
     * the phone number id is unset.
     */
    Whatsapp whatsapp();

    /** The Cloud API and the business phone number that sends. */
    interface Whatsapp {

        /**
         * The Graph API's base URL ({@code https://graph.facebook.com}); the local stack's stand-in in
         * {@code make run}.
         */
        Optional<String> url();

        /** The Graph API version in the path. */
        @WithDefault("v21.0")
        String version();

        /** The access token (a system user's, with {@code whatsapp_business_messaging}), sent as a bearer token. */
        @WithDefault("none")
        String token();

        /** The id of the business phone number messages are sent from (not the number itself). */
        @WithDefault("none")
        String phoneNumberId();
    }

    /** The providers' webhooks: how each is verified, and how the callbacks they carry are applied. */
    Webhooks webhooks();

    /** A webhook unverifiable for want of its secret is refused (401), never taken on trust. */
    interface Webhooks {

        /**
         * The public base URL providers call the gateway at ({@code https://rapport.example.com}); Twilio signs the
         * URL it called, so behind a proxy this must be set. Unset, the URL the request names is used.
         */
        Optional<String> publicUrl();

        /** The largest webhook body taken; a larger one is refused (413). */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** SendGrid's event-webhook verification key (base64 DER, from the Mail Settings page). */
        Optional<String> sendgridPublicKey();

        /** How old a SendGrid signature timestamp may be: as long as SendGrid retries (a day), and a little. */
        @WithDefault("25h")
        Duration sendgridMaxAge();

        /** The {@code secret_token} given to Telegram's {@code setWebhook}. */
        Optional<String> telegramSecret();

        /** The Meta app's secret, the key of {@code X-Hub-Signature-256}. */
        Optional<String> whatsappAppSecret();

        /** The verify token Meta's subscription handshake ({@code GET}) must present. */
        Optional<String> whatsappVerifyToken();

        /** How often stored callbacks are applied when nobody wakes the worker. */
        @WithDefault("200ms")
        Duration interval();

        /** How many callbacks one round applies. */
        @WithDefault("500")
        int batchSize();

        /**
         * How long a report on a message the gateway does not know (yet) is tried again before it is set aside (a
         * provider can report before the send is recorded).
         */
        @WithDefault("24h")
        Duration orphanAfter();

        /** How long applied callbacks are kept, so a provider's redelivery is recognised (WhatsApp retries 7 days). */
        @WithDefault("8d")
        Duration retention();
    }

    /** Email tracking: opens, clicks, one-click unsubscribe and the satisfaction footer. */
    Tracking tracking();

    /** The tracking links and the key they are signed with. */
    interface Tracking {

        /** Whether emails are tracked (links rewritten, pixel, footer, List-Unsubscribe). */
        @WithDefault("true")
        boolean enabled();

        /** The key tracking tokens are signed with (at least 16 characters); rotating it voids the links out there. */
        String secret();

        /** The public URL the links point at ({@code https://rapport.example.com}). */
        @WithDefault("http://localhost:8084")
        String baseUrl();
    }
}

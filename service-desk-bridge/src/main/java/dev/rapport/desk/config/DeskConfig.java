package dev.rapport.desk.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the desk context. */
@ConfigMapping(prefix = "rapport.desk")
public interface DeskConfig {

    /** Zendesk's webhook: the signing secret (as Zendesk shows it). Without it, Zendesk webhooks are refused. */
    Optional<String> zendeskSecret();

    /** Freshdesk's webhook: the shared secret its automation rule sends in {@code X-Rapport-Webhook-Secret}. */
    Optional<String> freshdeskSecret();

    /** The generic webhook: the secret its senders sign with. */
    Optional<String> genericSecret();

    /** How old a signed timestamp may be (as long as desks retry: a retry passes, and de-duplication stops replays). */
    @WithDefault("24h")
    Duration signatureMaxAge();

    /** How far ahead of this server's clock a signed timestamp may be. */
    @WithDefault("5m")
    Duration signatureMaxSkew();

    /** Largest webhook body accepted. */
    @WithDefault("262144")
    int maxBodyBytes();

    /** How often stored deliveries waiting to be recorded are looked for. */
    @WithDefault("500ms")
    Duration deliveryInterval();

    /** Most deliveries recorded in one round. */
    @WithDefault("200")
    int deliveryBatchSize();

    /** Longest pause before a delivery that could not be recorded (profile-service down) is tried again. */
    @WithDefault("1m")
    Duration deliveryMaxBackoff();
}

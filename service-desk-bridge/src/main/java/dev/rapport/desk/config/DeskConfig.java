package dev.rapport.desk.config;

import java.net.URI;
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

    /**
     * Zendesk's API, the account's address (for example {@code https://acme.zendesk.com}): the bridge reads tickets
     * there to reconcile its mirror, and opens tickets there for unhappy customers. Without it neither happens.
     */
    Optional<URI> zendeskApiUrl();

    /** The Zendesk agent (an email) the API token belongs to. */
    Optional<String> zendeskApiUser();

    /** The Zendesk API token; the bridge authenticates as {@code <user>/token:<token>}. */
    Optional<String> zendeskApiToken();

    /** How long a ticket may stay open before the mirror is checked against the desk's API. */
    @WithDefault("24h")
    Duration reconcileAfter();

    /** How long after its last check an open ticket is checked again. */
    @WithDefault("1h")
    Duration reconcileEvery();

    /** How often the reconciler looks for tickets to check. */
    @WithDefault("1m")
    Duration reconcileInterval();

    /** Most tickets checked in one round. */
    @WithDefault("50")
    int reconcileBatchSize();

    /** Whether unhappy inbound messages open a ticket in Zendesk (needs Zendesk's API). */
    @WithDefault("true")
    boolean escalationEnabled();

    /** How often escalations waiting for the desk or for profile-service are looked for. */
    @WithDefault("1s")
    Duration escalationInterval();

    /** Most escalations handled in one round. */
    @WithDefault("20")
    int escalationBatchSize();

    /** How many of the conversation's latest messages go with the ticket. */
    @WithDefault("10")
    int escalationMessages();

    /** How long a replica holds an escalation it works on before another may take it over. */
    @WithDefault("2m")
    Duration escalationLease();
}
